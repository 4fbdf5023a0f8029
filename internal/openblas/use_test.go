package openblas

import (
	"errors"
	"runtime"
	"strings"
	"testing"

	"gonum.org/v1/gonum/blas/blas32"
	"gonum.org/v1/gonum/blas/blas64"
)

// restoreBLAS puts gonum's implementation back after a test that installs
// one, and OpenBLAS's thread count if the library is loaded.
func restoreBLAS(t *testing.T) {
	t.Helper()
	lib, err := Load()
	threads := 0
	if err == nil {
		threads = lib.Threads()
	}
	t.Cleanup(func() {
		UseGo()
		if lib != nil {
			lib.SetThreads(threads)
		}
	})
}

func TestUseFromEnv(t *testing.T) {
	_, loadErr := Load()
	tests := []struct {
		backend, threads string
		wantErr          error // nil: success
		wantEnabled      bool
		wantThreads      int // checked when OpenBLAS is enabled
		needLib          bool
	}{
		{backend: "go", wantEnabled: false},
		{backend: " GO ", threads: "1", wantEnabled: false},
		{backend: "openblas", threads: "1", wantEnabled: true, wantThreads: 1, needLib: true},
		{backend: "openblas", threads: "2", wantEnabled: true, wantThreads: 2, needLib: true},
		{backend: "", wantEnabled: loadErr == nil, wantThreads: DefaultThreads},
		{backend: "auto", threads: "0", wantEnabled: loadErr == nil, wantThreads: runtime.NumCPU()},
		{backend: "cuda", wantErr: ErrEnv},
		{backend: "openblas", threads: "-1", wantErr: ErrEnv},
		{backend: "go", threads: "two", wantErr: ErrEnv},
	}
	for _, tc := range tests {
		t.Run(tc.backend+"/"+tc.threads, func(t *testing.T) {
			if tc.needLib {
				loadOrSkip(t)
			}
			restoreBLAS(t)
			t.Setenv(EnvBackend, tc.backend)
			t.Setenv(EnvThreads, tc.threads)
			info, err := UseFromEnv()
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("UseFromEnv() error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("UseFromEnv(): %v", err)
			}
			if got := Enabled(); got != tc.wantEnabled {
				t.Fatalf("Enabled() = %v after %q, want %v", got, info, tc.wantEnabled)
			}
			if !tc.wantEnabled {
				if !strings.Contains(info, "gonum") {
					t.Errorf("info %q does not name gonum", info)
				}
				return
			}
			lib, _ := Load()
			if got := lib.Threads(); got != tc.wantThreads {
				t.Errorf("%d OpenBLAS threads, want %d", got, tc.wantThreads)
			}
			if !strings.Contains(info, "OpenBLAS") {
				t.Errorf("info %q does not name OpenBLAS", info)
			}
		})
	}
}

// TestUseInstallsBoth checks that Use serves both precisions and UseGo
// undoes it.
func TestUseInstallsBoth(t *testing.T) {
	loadOrSkip(t)
	restoreBLAS(t)
	if _, err := Use(1); err != nil {
		t.Fatal(err)
	}
	if _, ok := blas32.Implementation().(Implementation); !ok {
		t.Errorf("blas32 uses %T after Use", blas32.Implementation())
	}
	if _, ok := blas64.Implementation().(Implementation); !ok {
		t.Errorf("blas64 uses %T after Use", blas64.Implementation())
	}
	UseGo()
	if Enabled() {
		t.Error("Enabled() after UseGo")
	}
}

// TestOpenMissing checks the error of a machine without the library.
func TestOpenMissing(t *testing.T) {
	names := []string{"/nonexistent/libopenblas.so.0", "libpipe-no-such-blas.so"}
	lib, err := open(names)
	if lib != nil || !errors.Is(err, ErrUnavailable) {
		t.Fatalf("open(%q) = %v, %v; want ErrUnavailable", names, lib, err)
	}
	if !strings.Contains(err.Error(), "libpipe-no-such-blas.so") {
		t.Errorf("error %q does not name the libraries tried", err)
	}
}

func TestCheckConfig(t *testing.T) {
	if err := checkConfig("libopenblas.so.0", "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64"); err != nil {
		t.Errorf("LP64 build rejected: %v", err)
	}
	if err := checkConfig("libopenblas64.so.0", "OpenBLAS 0.3.21 USE64BITINT DYNAMIC_ARCH"); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ILP64 build accepted: %v", err)
	}
}

func TestLibraryDescribesItself(t *testing.T) {
	lib := loadOrSkip(t)
	old := lib.Threads()
	defer lib.SetThreads(old)
	if !strings.HasPrefix(lib.Config(), "OpenBLAS ") || lib.Core() == "" || lib.Name() == "" {
		t.Errorf("config %q, core %q, name %q", lib.Config(), lib.Core(), lib.Name())
	}
	for _, n := range []int{1, 2} {
		lib.SetThreads(n)
		if got := lib.Threads(); got != n {
			t.Errorf("SetThreads(%d): Threads() = %d", n, got)
		}
	}
	t.Log(lib)
}
