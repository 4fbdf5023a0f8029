// Package stages holds the built-in stage kinds of the Diffusion-DFL
// reproduction: data ingestion, pretraining, decision-focused training,
// baselines, evaluation, aggregation over seeds and the paper's tables.
// Register adds them to a pipeline registry.
package stages
