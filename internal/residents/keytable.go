package residents

// keyTable maps the 8-byte keys of blind indexes to record numbers. It
// does what a map[uint64]int32 does for de-duplication, in about half the
// memory and time: keys are random already, so the slot is the key's low
// bits, probed linearly, and keys sit apart from values so a probe reads
// one cache line of eight keys. Large tables live outside the Go heap (see
// allocSlots); release returns their memory.
type keyTable struct {
	keys []uint64 // 0 is an empty slot
	vals []int32
	mask uint64
	n    int
	free func()
}

func newKeyTable(capacity int) keyTable {
	size := 1024
	for size*3/4 < capacity {
		size *= 2
	}
	keys, vals, free := allocSlots(size)
	return keyTable{keys: keys, vals: vals, mask: uint64(size - 1), free: free}
}

// release gives the table's memory back; the table is unusable after.
func (t *keyTable) release() {
	if t.free != nil {
		t.free()
	}
	*t = keyTable{}
}

// getOrPut returns the value stored under key, or stores v and returns
// seen=false.
func (t *keyTable) getOrPut(key uint64, v int32) (int32, bool) {
	if key == 0 {
		key = 1 // 0 marks an empty slot; the collision costs nothing real
	}
	for i := key & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case key:
			return t.vals[i], true
		case 0:
			t.keys[i], t.vals[i] = key, v
			t.n++
			if t.n*4 > len(t.keys)*3 {
				t.grow()
			}
			return v, false
		}
	}
}

func (t *keyTable) grow() {
	old := *t
	*t = newKeyTable(len(old.keys)) // twice the slots: 1024 or more, 3/4 full at most
	for i, k := range old.keys {
		if k != 0 {
			t.getOrPut(k, old.vals[i])
		}
	}
	old.release()
}
