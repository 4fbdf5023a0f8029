package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// LoadOptions select how a file is loaded.
type LoadOptions struct {
	// Registry resolves `kind:` names; nil means no built-in kinds.
	Registry *Registry
	// Profile names the profile to apply; "" applies none.
	Profile string
}

// rawFile is pipelines.yaml as written, before template expansion.
type rawFile struct {
	vars      map[string]any
	varLines  map[string]int
	stages    []*rawStage
	pipelines []*rawPipeline
	profiles  map[string]*rawProfile
	exports   []*rawExport
	executor  string
}

type rawPipeline struct {
	name    string
	line    int
	targets []string
}

type rawExport struct {
	from, to, format string
	line             int
}

var topKeys = map[string]bool{"vars": true, "stages": true, "pipelines": true, "profiles": true, "exports": true, "executor": true}

// Load reads, expands and validates the pipelines file at path.
func Load(path string, opts LoadOptions) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	f, err := Parse(path, data, opts)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	f.Dir = abs
	return f, nil
}

// Parse loads a pipelines file from data; name is used in error messages and
// as File.Path. File.Dir is the current directory's view of name's directory.
// Every problem found is reported, each with its file, line and stage, in a
// *ValidationError wrapping ErrInvalid.
func Parse(name string, data []byte, opts LoadOptions) (*File, error) {
	p := &problems{file: name}
	raw := readRaw(p, data)
	if raw == nil {
		return nil, p.err()
	}
	vars := raw.vars
	if opts.Profile != "" {
		prof, ok := raw.profiles[opts.Profile]
		if !ok {
			p.add(0, "", "unknown profile %q (defined: %s)", opts.Profile, joinSorted(keysOf(raw.profiles)))
			return nil, p.err()
		}
		vars = overlayVars(p, raw, prof)
	}
	nRead := len(p.errs)
	stages := expandAll(p, raw.stages, vars)
	if opts.Profile != "" {
		applyProfile(p, raw.profiles[opts.Profile], stages)
	}
	templateOf := map[string]string{}
	for _, s := range stages {
		templateOf[s.Name] = firstNonEmpty(s.Template, s.Name)
	}
	f := &File{Path: name, Dir: filepath.Dir(name), Profile: opts.Profile, Executor: raw.executor,
		Stages: map[string]*Stage{}, Pipelines: map[string]*Pipeline{}}
	for _, s := range stages {
		f.Stages[s.Name] = s
	}
	resolveKinds(p, opts.Registry, stages)
	nExpand := len(p.errs)
	resolveInputs(p, f, stages)
	resolvePipelines(p, f, raw.pipelines)
	resolveExports(p, f, raw.exports, vars)
	if len(p.errs) == 0 {
		f.order = topoOrder(p, f)
	}
	p.prune(nRead, nExpand, templateOf)
	if err := p.err(); err != nil {
		return nil, err
	}
	return f, nil
}

// readRaw parses the YAML and the top-level structure; nil means fatal problems.
func readRaw(p *problems, data []byte) *rawFile {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			p.add(0, "", "empty file")
		} else {
			line, msg := yamlErrorLine(err)
			p.add(refineYAMLLine(data, line, msg), "", "%s", msg)
		}
		return nil
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		p.add(doc.Line, "", "the file must be a mapping with a stages: key")
		return nil
	}
	raw := &rawFile{vars: map[string]any{}, varLines: map[string]int{}, profiles: map[string]*rawProfile{}}
	err := eachPair(doc.Content[0], func(key string, line int, val *yaml.Node) error {
		if !topKeys[key] {
			p.add(line, "", "unknown key %q (known: executor, exports, pipelines, profiles, stages, vars)", key)
			return nil
		}
		readSection(p, raw, key, val)
		return nil
	})
	if err != nil {
		p.add(0, "", "%v", err)
	}
	if len(raw.stages) == 0 && len(p.errs) == 0 {
		p.add(0, "", "no stages defined")
	}
	return raw
}

func readSection(p *problems, raw *rawFile, key string, val *yaml.Node) {
	var err error
	switch key {
	case "vars":
		err = readVars(val, raw.vars, raw.varLines)
	case "stages":
		err = eachPair(val, func(name string, line int, body *yaml.Node) error {
			if s := readStage(p, name, line, body); s != nil {
				raw.stages = append(raw.stages, s)
			}
			return nil
		})
	case "pipelines":
		err = eachPair(val, func(name string, line int, body *yaml.Node) error {
			targets, err := stringList(body)
			if err != nil {
				p.add(line, "", "pipeline %q: %v", name, err)
			}
			raw.pipelines = append(raw.pipelines, &rawPipeline{name: name, line: line, targets: targets})
			return nil
		})
	case "profiles":
		err = eachPair(val, func(name string, line int, body *yaml.Node) error {
			raw.profiles[name] = readProfile(p, name, line, body)
			return nil
		})
	case "exports":
		raw.exports, err = readExports(p, val)
	case "executor":
		// The program that runs the file knows the executors' names.
		if val.Kind != yaml.ScalarNode || val.ShortTag() != "!!str" || val.Value == "" {
			err = fmt.Errorf("expected the name of an executor such as local or temporal")
		}
		raw.executor = val.Value
	}
	if err != nil {
		p.add(val.Line, "", "%s: %v", key, err)
	}
}

func readVars(n *yaml.Node, vars map[string]any, lines map[string]int) error {
	return eachPair(n, func(k string, line int, v *yaml.Node) error {
		val, err := nodeValue(v)
		if err != nil {
			return err
		}
		vars[k], lines[k] = val, line
		return nil
	})
}

var exportKeys = map[string]bool{"from": true, "to": true, "format": true}

func readExports(p *problems, n *yaml.Node) ([]*rawExport, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("expected a list of {from, to, format}, found %s", kindName(n))
	}
	var out []*rawExport
	for _, item := range n.Content {
		e := &rawExport{line: item.Line}
		err := eachPair(item, func(k string, line int, v *yaml.Node) error {
			if !exportKeys[k] {
				p.add(line, "", "export: unknown key %q (known: format, from, to)", k)
				return nil
			}
			if v.Kind != yaml.ScalarNode {
				p.add(line, "", "export: %s must be a string", k)
				return nil
			}
			switch k {
			case "from":
				e.from = v.Value
			case "to":
				e.to = v.Value
			case "format":
				e.format = v.Value
			}
			return nil
		})
		if err != nil {
			p.add(item.Line, "", "export: %v", err)
			continue
		}
		out = append(out, e)
	}
	return out, nil
}

var yamlLineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorLine splits "yaml: line 3: msg" into a line and a message, so
// syntax errors read like every other problem ("p.yaml:3: yaml: msg").
func yamlErrorLine(err error) (int, string) {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return line, "yaml: " + m[2]
	}
	return 0, err.Error()
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// refineYAMLLine finds the line a YAML syntax error is really on. The
// parser reports the start of the enclosing block (a stage's header) for
// an indentation mistake lines below it; the first prefix of the file,
// cut at a line end after the reported line, that fails with the same
// message ends on the offending line.
func refineYAMLLine(data []byte, line int, msg string) int {
	if line <= 0 {
		return line
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	end := 0
	for i, l := range lines {
		end += len(l)
		if i+1 <= line {
			continue
		}
		var doc yaml.Node
		err := yaml.Unmarshal(data[:end], &doc)
		if err == nil {
			continue
		}
		if _, m := yamlErrorLine(err); m == msg {
			return i + 1
		}
	}
	return line
}
