package residents

import (
	"encoding/binary"
	"slices"
)

// Duplicate reasons, most telling first.
const (
	ReasonCRMID       = "crm_id"
	ReasonEmail       = "email"
	ReasonNameAddress = "name_address"
)

// ref names a resident by the import and line that brought it in.
type ref struct{ importID, line int64 }

// dedupe finds people who appear more than once in a case, across imports:
// records sharing a CRM Id, an e-mail or a name and postal address are one
// person (transitively), counted at their earliest record. It keys on the
// first 8 bytes of each blind index, so it holds no personal data, and its
// memory grows with the number of records, not their size.
type dedupe struct {
	parent []int32 // union-find; a root is the earliest record of a person
	refs   []ref
	byKey  keyTable
	// demoted records were roots until a later record showed them to be
	// the same person as an earlier root.
	demoted map[int32]demotion
}

type demotion struct {
	of     int32
	reason string
}

// newDedupe returns a de-duplicator sized for about n records.
func newDedupe(n int) *dedupe {
	return &dedupe{byKey: newKeyTable(3 * n), demoted: map[int32]demotion{},
		parent: make([]int32, 0, n), refs: make([]ref, 0, n)}
}

// keyOf is a blind index's table key; blind indexes are keyed hashes, so
// their bits are already uniformly spread.
func keyOf(kind byte, blind []byte) uint64 {
	return binary.LittleEndian.Uint64(blind[:8]) ^ uint64(kind)<<56
}

// release frees the de-duplicator's key table; it is unusable after.
func (d *dedupe) release() { d.byKey.release() }

func (d *dedupe) released() bool { return d.byKey.keys == nil }

func (d *dedupe) find(i int32) int32 {
	for d.parent[i] != i {
		d.parent[i] = d.parent[d.parent[i]]
		i = d.parent[i]
	}
	return i
}

// add records a resident with its blind indexes (nil when absent), in
// order of arrival. It returns the root of the person the resident
// belongs to and why, or ok=false when it is the first record of a person.
// existing is true for residents already stored (loaded before an import).
func (d *dedupe) add(r ref, crmID, email, nameAddr []byte) (root ref, reason string, dup bool) {
	i := int32(len(d.parent))
	if len(d.parent) == cap(d.parent) {
		// Twice the room, not append's quarter more: each growth copies
		// everything, and a million-row import grew four times.
		d.parent, d.refs = slices.Grow(d.parent, len(d.parent)+1), slices.Grow(d.refs, len(d.refs)+1)
	}
	d.parent = append(d.parent, i)
	d.refs = append(d.refs, r)
	for _, k := range []struct {
		kind   byte
		blind  []byte
		reason string
	}{{1, crmID, ReasonCRMID}, {2, email, ReasonEmail}, {3, nameAddr, ReasonNameAddress}} {
		if k.blind == nil {
			continue
		}
		other, seen := d.byKey.getOrPut(keyOf(k.kind, k.blind), i)
		if !seen {
			continue
		}
		a, b := d.find(other), d.find(i)
		if a == b {
			continue
		}
		// The earlier root stays; the later one joins it.
		if b < a {
			a, b = b, a
		}
		d.parent[b] = a
		if b == i {
			if !dup {
				reason, dup = k.reason, true
			}
		} else {
			d.demoted[b] = demotion{of: a, reason: k.reason}
		}
	}
	if dup {
		return d.refs[d.find(i)], reason, true
	}
	return ref{}, "", false
}

// demotions returns the records that turned out to be duplicates after
// they were stored as first records, with the root they now belong to.
func (d *dedupe) demotions() map[ref]struct {
	root   ref
	reason string
} {
	out := map[ref]struct {
		root   ref
		reason string
	}{}
	for i, dm := range d.demoted {
		out[d.refs[i]] = struct {
			root   ref
			reason string
		}{d.refs[d.find(dm.of)], dm.reason}
	}
	return out
}
