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
// An import's reader and workers are CPU-bound and can keep every core
// busy for minutes on a large file. At nice 10 the threads that serve web
// requests, and the one feeding COPY, run first when they wake, and the
// workers use what is left. (It did not change the import's own time
// measurably: Postgres runs in another scheduling group.) Raising one's
// own nice value needs no privilege.
func lowerPriority() {
	runtime.LockOSThread()
	// A failure only costs speed; there is nothing to report.
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
