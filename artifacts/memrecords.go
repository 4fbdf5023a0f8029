package artifacts

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// PutRecord stores r under r.Key, replacing any earlier record.
func (m *MemStore) PutRecord(ctx context.Context, r *RunRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b, err := encodeRecord(r)
	if err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.records[r.Key] = b
	return nil
}

// GetRecord returns the record for key, or ErrNotFound.
func (m *MemStore) GetRecord(ctx context.Context, key Key) (*RunRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkKey(key); err != nil {
		return nil, err
	}
	m.mu.RLock()
	b, ok := m.records[key]
	m.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: record %s", ErrNotFound, key)
	}
	return decodeRecord(b, key, "memory")
}

// Records calls fn for every record, in key order.
func (m *MemStore) Records(ctx context.Context, fn func(r *RunRecord) error) error {
	keys := sortedKeys(m, m.records, func(Key) bool { return true })
	for _, k := range keys {
		r, err := m.GetRecord(ctx, k)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				continue
			}
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRecord removes the record for key.
func (m *MemStore) DeleteRecord(ctx context.Context, key Key) error {
	if err := checkKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[key]; !ok {
		return fmt.Errorf("delete: %w: record %s", ErrNotFound, key)
	}
	delete(m.records, key)
	return nil
}

// SetRef sets reference name to a copy of value.
func (m *MemStore) SetRef(ctx context.Context, name string, value []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := ValidateRefName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.hasRefConflict(name) {
		return fmt.Errorf("%w: %q conflicts with an existing reference", ErrBadName, name)
	}
	m.refs[name] = append([]byte{}, value...)
	return nil
}

// GetRef returns a copy of the value of reference name, or ErrNotFound.
func (m *MemStore) GetRef(ctx context.Context, name string) ([]byte, error) {
	if err := ValidateRefName(name); err != nil {
		return nil, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	v, ok := m.refs[name]
	if !ok {
		return nil, fmt.Errorf("%w: reference %s", ErrNotFound, name)
	}
	return append([]byte{}, v...), nil
}

// Refs calls fn for every reference whose name starts with prefix, in name order.
func (m *MemStore) Refs(ctx context.Context, prefix string, fn func(name string, value []byte) error) error {
	names := sortedKeys(m, m.refs, func(k string) bool { return strings.HasPrefix(k, prefix) })
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return err
		}
		v, err := m.GetRef(ctx, name)
		if err != nil {
			continue // deleted since the listing
		}
		if err := fn(name, v); err != nil {
			return err
		}
	}
	return nil
}

// DeleteRef removes reference name.
func (m *MemStore) DeleteRef(ctx context.Context, name string) error {
	if err := ValidateRefName(name); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.refs[name]; !ok {
		return fmt.Errorf("delete: %w: reference %s", ErrNotFound, name)
	}
	delete(m.refs, name)
	return nil
}
