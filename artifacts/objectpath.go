package artifacts

// ObjectPath returns the file that holds object d, for people and tools
// that read it in place (`pipe show --json`); the file is read-only and
// shared by every record that names d.
func (s *DirStore) ObjectPath(d Digest) string { return s.objectPath(d) }
