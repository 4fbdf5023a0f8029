// Package pipeline loads pipelines.yaml, plans which stages must run, and
// runs them.
//
// A File is the validated, fully expanded form of pipelines.yaml: templates
// are expanded over their matrix, the selected profile is overlaid, every
// stage.output reference is resolved and the graph is checked for cycles.
// Every problem is reported at once, each naming the file, the line and the
// stage to fix.
package pipeline
