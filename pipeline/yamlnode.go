package pipeline

import (
	"fmt"
	"math"

	"go.yaml.in/yaml/v3"
)

// maxNodes bounds the values built from one YAML value, so that aliases
// nested into each other ("billion laughs") fail instead of exhausting memory.
const maxNodes = 1 << 20

// nodeValue converts a YAML node into the value types Params promises:
// string, int, float64, bool, nil, []any and map[string]any. Timestamps and
// other exotic scalars stay strings, so the value is exactly what was written.
func nodeValue(n *yaml.Node) (any, error) {
	budget := maxNodes
	return nodeValueBudget(n, &budget)
}

func nodeValueBudget(n *yaml.Node, budget *int) (any, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("line %d: value too large (aliases expand to more than %d nodes)", n.Line, maxNodes)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return nodeValueBudget(n.Content[0], budget)
	case yaml.AliasNode:
		return nodeValueBudget(n.Alias, budget)
	case yaml.SequenceNode:
		out := make([]any, len(n.Content))
		for i, c := range n.Content {
			v, err := nodeValueBudget(c, budget)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		err := eachPair(n, func(k string, _ int, v *yaml.Node) error {
			val, err := nodeValueBudget(v, budget)
			out[k] = val
			return err
		})
		return out, err
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}

func scalarValue(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		err := n.Decode(&b)
		return b, err
	case "!!int":
		var i int
		if err := n.Decode(&i); err != nil {
			return nil, fmt.Errorf("line %d: integer %s out of range", n.Line, n.Value)
		}
		return i, nil
	case "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			return nil, err
		}
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, fmt.Errorf("line %d: non-finite number %s is not supported", n.Line, n.Value)
		}
		return f, nil
	}
	return n.Value, nil
}

// eachPair calls fn for every key of a mapping node in file order. Keys must
// be scalars. A merge key (<<: *anchor, or a list of anchors) contributes
// the pairs of the merged mappings at its position, except keys the mapping
// sets itself; among several merged mappings the first wins (YAML 1.1 merge).
func eachPair(n *yaml.Node, fn func(key string, line int, val *yaml.Node) error) error {
	return eachPairDepth(n, fn, 0)
}

func eachPairDepth(n *yaml.Node, fn func(key string, line int, val *yaml.Node) error, depth int) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: expected a mapping, found %s", n.Line, kindName(n))
	}
	if depth > 32 {
		return fmt.Errorf("line %d: merge keys nested more than 32 deep", n.Line)
	}
	own := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Kind == yaml.ScalarNode && !isMergeKey(k) {
			own[k.Value] = true
		}
	}
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fmt.Errorf("line %d: mapping keys must be plain strings", k.Line)
		}
		if !isMergeKey(k) {
			if err := fn(k.Value, k.Line, v); err != nil {
				return err
			}
			continue
		}
		sources := []*yaml.Node{v}
		if v.Kind == yaml.SequenceNode {
			sources = v.Content
		}
		for _, src := range sources {
			err := eachPairDepth(src, func(key string, line int, val *yaml.Node) error {
				if own[key] || merged[key] {
					return nil
				}
				merged[key] = true
				return fn(key, line, val)
			}, depth+1)
			if err != nil {
				return fmt.Errorf("line %d: merge key: %w", k.Line, err)
			}
		}
	}
	return nil
}

// isMergeKey reports whether k is the YAML merge key <<.
func isMergeKey(k *yaml.Node) bool {
	return k.Value == "<<" && (k.ShortTag() == "!!merge" || k.Style == 0)
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		if n.ShortTag() == "!!null" {
			return "nothing"
		}
		return "a scalar"
	}
	return "an alias"
}

// stringList reads a node that must be a list of strings (or one string).
func stringList(n *yaml.Node) ([]string, error) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!str" {
		return []string{n.Value}, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("expected a list of strings, found %s", kindName(n))
	}
	out := make([]string, len(n.Content))
	for i, c := range n.Content {
		if c.Kind != yaml.ScalarNode || c.ShortTag() == "!!null" {
			return nil, fmt.Errorf("item %d: expected a string, found %s", i+1, kindName(c))
		}
		out[i] = c.Value
	}
	return out, nil
}
