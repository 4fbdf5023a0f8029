package openblas

import (
	"fmt"
	"os"
	"strings"
)

// EnvCore chooses OpenBLAS's kernel family (its "core type") at load time:
// empty or "auto" tries the fastest family with AVX-512 kernels that this
// CPU can run and keeps it only when it passes the numerical self-check
// (selfCheck), "safe" keeps the family the environment gives (the
// library's own detection, or OPENBLAS_CORETYPE where that is set), and a
// family name (e.g. "SkylakeX", "Haswell") tries that one, also checked.
const EnvCore = "PIPE_BLAS_CORE"

// envCoreType is OpenBLAS's own override of its CPU detection. It is read
// by the library when it initializes its kernel table; this package sets it
// only around that re-initialization and puts the old value back at once,
// so tests, child processes and CI see the environment they were given.
const envCoreType = "OPENBLAS_CORETYPE"

// coreSafe is the EnvCore value that keeps the environment's kernels.
const coreSafe = "safe"

// coreCandidate is a kernel family this package may switch to, with the
// CPU features its kernels need.
type coreCandidate struct {
	name string      // as OpenBLAS spells it (openblas_get_corename)
	runs func() bool // whether this CPU has the instructions it uses
}

// fastCores are the families tried, fastest first, when EnvCore is auto.
// SkylakeX's sgemm/dgemm kernels use AVX-512 F, BW, DQ and VL; on a Zen 4
// they ran the paper's width-1024 train step 1.6× faster than Haswell's
// AVX2 kernels (README, Performance). Cooperlake adds only bf16 routines
// the project does not call, so it is offered by name, not tried.
var fastCores = []coreCandidate{{"SkylakeX", hasAVX512}}

// namedCores are the families EnvCore may name.
var namedCores = []coreCandidate{
	{"SkylakeX", hasAVX512}, {"Cooperlake", hasAVX512BF16},
	{"Haswell", hasAVX2FMA}, {"Zen", hasAVX2FMA},
}

// CoreChoice says which kernel family a Library runs and why.
type CoreChoice struct {
	Core    string // the family in use (openblas_get_corename)
	Safe    string // the family the environment gave before any switch
	Checked bool   // Core replaced Safe after passing the self-check
	Note    string // why a wanted family was not used, "" if none was refused
}

// String is the short form kept in run records through Library.String.
func (c CoreChoice) String() string {
	if c.Checked {
		return fmt.Sprintf("core %s, self-checked against %s", c.Core, c.Safe)
	}
	return "core " + c.Core
}

// chooseCore applies the EnvCore setting want to a freshly loaded library:
// it switches to the candidate family, runs the self-check on it, and goes
// back to the environment's family if the switch or the check fails. It
// must run before any product is computed and before goroutines share l.
// An unknown family name keeps the environment's family with a note
// (UseFromEnv rejects such names before loading, see checkEnvCore).
func (l *Library) chooseCore(want string) {
	l.choice = CoreChoice{Core: l.core, Safe: l.core}
	want = strings.TrimSpace(want)
	var cands []coreCandidate
	switch strings.ToLower(want) {
	case coreSafe:
		return
	case "", "auto":
		for _, c := range fastCores {
			if c.runs() {
				cands = append(cands, c)
			}
		}
	default:
		c, ok := findCore(want)
		if !ok {
			l.choice.Note = fmt.Sprintf("%s=%q is not a known kernel family", EnvCore, want)
			return
		}
		if !c.runs() {
			l.choice.Note = fmt.Sprintf("%s=%s refused: this CPU lacks its instructions", EnvCore, c.name)
			return
		}
		cands = []coreCandidate{c}
	}
	for _, c := range cands {
		if strings.EqualFold(c.name, l.core) {
			return
		}
		if err := l.tryCore(c.name); err != nil {
			l.choice.Note = err.Error()
			continue
		}
		l.choice = CoreChoice{Core: l.core, Safe: l.choice.Safe, Checked: true}
		return
	}
}

// checkEnvCore validates the EnvCore setting want, wrapping ErrEnv.
func checkEnvCore(want string) error {
	switch w := strings.TrimSpace(want); strings.ToLower(w) {
	case "", "auto", coreSafe:
		return nil
	default:
		if _, ok := findCore(w); !ok {
			return fmt.Errorf("%w: %s=%q, want auto, safe or one of %s", ErrEnv, EnvCore, w, coreNames())
		}
		return nil
	}
}

// tryCore switches to family name and keeps it if the self-check passes;
// otherwise it switches back to the environment's family and says why.
func (l *Library) tryCore(name string) error {
	if l.reinit == nil {
		return fmt.Errorf("core %s not tried: %s cannot switch kernels (not a DYNAMIC_ARCH build)", name, l.name)
	}
	l.switchCore(name)
	err := error(nil)
	if !strings.EqualFold(l.core, name) {
		err = fmt.Errorf("core %s not tried: OpenBLAS chose %s when asked for it", name, l.core)
	} else if err = l.selfCheck(); err != nil {
		err = fmt.Errorf("core %s failed the self-check, keeping %s: %w", name, l.choice.Safe, err)
	}
	if err != nil {
		l.switchCore("")
	}
	return err
}

// switchCore re-initializes OpenBLAS's kernel table with envCoreType set to
// name ("" restores the environment's own value) and restores the variable
// afterwards. The table is read at every call, so later products use the
// new family; none may run concurrently with the switch.
func (l *Library) switchCore(name string) {
	old, had := os.LookupEnv(envCoreType)
	if name != "" {
		os.Setenv(envCoreType, name)
	}
	l.reinit()
	if had {
		os.Setenv(envCoreType, old)
	} else {
		os.Unsetenv(envCoreType)
	}
	l.core, l.config = l.getCore(), l.getConfig()
}

// Choice reports which kernel family the library runs and how it was
// chosen.
func (l *Library) Choice() CoreChoice { return l.choice }

func findCore(name string) (coreCandidate, bool) {
	for _, c := range namedCores {
		if strings.EqualFold(c.name, name) {
			return c, true
		}
	}
	return coreCandidate{}, false
}

func coreNames() string {
	names := make([]string, len(namedCores))
	for i, c := range namedCores {
		names[i] = c.name
	}
	return strings.Join(names, ", ")
}
