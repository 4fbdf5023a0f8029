// Package storetest is the conformance suite for artifacts.Store
// implementations, in the manner of gonum's lapack/testlapack: every
// implementation runs the same checks from its own tests,
//
//	func TestConformance(t *testing.T) {
//		storetest.RunWith(t, func(t *testing.T) artifacts.Store { return open(t) },
//			storetest.Options{Corrupt: corruptMyStore})
//	}
//
// Each subtest gets a fresh store from the constructor. The suite checks the
// contract documented on artifacts.Store: content addressing (full lowercase
// sha256 names, deduplication), verification on every read path, the
// not-found and malformed-input errors (tested with errors.Is), quarantine
// and deletion, exact round trips of records and references, reference
// naming rules, enumeration, and concurrency (simultaneous puts, exclusive
// locks, lock waits that end with their context).
package storetest
