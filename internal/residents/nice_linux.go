package residents

import (
	"runtime"
	"syscall"
)

// lowerPriority locks the calling goroutine to its OS thread and lowers
// that thread's scheduling priority (nice 10), for the rest of the
// goroutine's life: the thread ends with it (it is never unlocked), so no
// other goroutine inherits the priority.
//
// An import's reader and workers are CPU-bound and elastic: they stall on
// COPY's socket anyway once Postgres falls behind. At equal priority the
// kernel shares the cores three ways, Postgres took a third less CPU than
// it could use, and the whole import waited on it. At nice 10 Postgres
// (and the web requests served meanwhile) run first and the workers use
// what is left. Raising one's own nice value needs no privilege.
func lowerPriority() {
	runtime.LockOSThread()
	// A failure only costs speed; there is nothing to report.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
