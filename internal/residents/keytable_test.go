package residents

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// The table must behave as a map through growth, clustered keys and the
// reserved zero key.
func TestKeyTableMatchesMap(t *testing.T) {
	t.Parallel()
	tab := newKeyTable(0)
	want := map[uint64]int32{}
	r := rand.New(rand.NewPCG(1, 2))
	for i := int32(0); i < 50_000; i++ {
		var k uint64
		switch i % 4 {
		case 0:
			k = r.Uint64()
		case 1:
			k = uint64(i) << 20 // same low bits: one long probe run
		case 2:
			k = uint64(r.IntN(1000)) // repeats
		case 3:
			k = 0
		}
		if k == 0 {
			k = 1 // what getOrPut files 0 under
		}
		got, seen := tab.getOrPut(k, i)
		prev, had := want[k]
		if seen != had || (had && got != prev) {
			t.Fatalf("key %d: got %d,%v; want %d,%v", k, got, seen, prev, had)
		}
		if !had {
			want[k] = i
		}
	}
	if tab.n != len(want) || tab.n*4 > len(tab.keys)*3 {
		t.Errorf("%d keys in %d slots; want %d keys at most 3/4 full", tab.n, len(tab.keys), len(want))
	}
}

func TestDedupeFindsDuplicatesAfterGrowth(t *testing.T) {
	t.Parallel()
	d := newDedupe(0)
	blind := func(n int) []byte { return binary.LittleEndian.AppendUint64(nil, uint64(n)*0x9E3779B97F4A7C15) }
	for i := 1; i <= 20_000; i++ {
		d.add(ref{1, int64(i)}, blind(i), nil, nil)
	}
	for i := 1; i <= 20_000; i += 997 {
		root, reason, dup := d.add(ref{2, int64(i)}, blind(i), nil, nil)
		if !dup || reason != ReasonCRMID || root != (ref{1, int64(i)}) {
			t.Fatalf("line %d: %v %q %v", i, dup, reason, root)
		}
	}
}

// A table of millions of slots (mapped outside the Go heap on Linux)
// works the same, grows into another and frees its memory on release.
func TestLargeKeyTable(t *testing.T) {
	t.Parallel()
	tab := newKeyTable(3 << 20 * 3 / 4) // 4 Mi slots, 3/4 full at the brim
	r := rand.New(rand.NewPCG(3, 4))
	keys := make([]uint64, 0, 3<<20+10)
	for len(keys) < cap(keys) { // past 3/4: one growth
		k := r.Uint64() | 1
		keys = append(keys, k)
		if _, seen := tab.getOrPut(k, int32(len(keys))); seen {
			t.Fatalf("fresh key %x seen", k)
		}
	}
	for i, k := range keys {
		if v, seen := tab.getOrPut(k, -1); !seen || v != int32(i+1) {
			t.Fatalf("key %d: %d %v", i, v, seen)
		}
	}
	if len(tab.keys) != 8<<20 {
		t.Errorf("%d slots after growth, want %d", len(tab.keys), 8<<20)
	}
	tab.release()
	if tab.keys != nil || tab.free != nil {
		t.Error("released table still holds memory")
	}
}
