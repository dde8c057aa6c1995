//go:build !linux

package benchmark

func procCPU(pid int) (int64, error) { return 0, errNoProcStats }

func procRSS(pid int) (int64, error) { return 0, errNoProcStats }
