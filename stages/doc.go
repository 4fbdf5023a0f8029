// Package stages holds the built-in stage kinds of the Diffusion-DFL
// reproduction: data ingestion, pretraining, decision-focused training,
// baselines, evaluation, aggregation over seeds and the paper's tables.
// Register adds them to a pipeline registry; `pipe stages` documents every
// kind, param, input and output, and the top-level pipelines.yaml wires them
// into the paper's experiment.
//
// # Kinds and artifacts
//
//	data-synthetic, data-power, data-portfolio   → table   (datasets.Dataset.Record, with label and run_seed)
//	pretrain-diffusion, -gaussian, -mlp (data)   → model, curve
//	dfl-diffusion, dfl-gaussian, dfl-mlp (data, model) → model, curve, stats
//	policy (data)                                → model, curve
//	evaluate (data, model), hindsight (data)     → metrics
//	reference (synthetic data)                   → metrics (the true distribution's rows)
//	aggregate (metrics…, stats…) → summary; paper-tables (summary) → table1, table2
//	tune-select (curves…, models… of a sweep)    → selection (hold-only learning rates)
//
// A model artifact is package model's parameter record plus metadata: the
// task, the dataset label, the seed, the producing kind and its params
// (trained_by, canonical JSON), the method label of a DFL run, the y
// normalization of a diffusion model and whether a policy's output is
// projected. Any model can be evaluated by one evaluate kind, which reads the
// architecture from the record. metrics (one row per split) and stats (one
// row per DFL run) follow the schemas that aggregate reads (metrics.go).
//
// # Protocol
//
// Every DFL kind trains on the train rows and, after every epoch, computes
// the task loss on the hold rows with the evaluation's M and decision rule;
// the weights of the best epoch are restored at the end. The model as it
// came in counts as epoch 0, so a DFL run that only makes things worse
// returns its starting point. The hold samples of every epoch come from the
// same random stream (common random numbers): two epochs' hold losses differ
// by the model only, not by sampling noise, which makes the selection less
// noisy than the reference's fresh draws. Test rows never reach a training
// stage; TestSelectionNeverSeesTest poisons them to prove it.
//
// The decision rule is one stochastic program per context, z*(x) = argmin
// (1/M) Σ_j f(y_j, z), or with decision: pooled one program over all samples
// of a minibatch or split (the reference's synthetic rule). The batch loss is
// L = (1/B) Σ_b f(y_b, z*_b) at the true targets, f the task's cost: exp(−yᵀz)
// (synthetic), the daily cost Σ_h f_h (power; the reference's diffusion loss
// is a mean over hours, 24 times smaller, which only scales the gradient),
// (α/2)(yᵀz)² − yᵀz (portfolio). The solver's weights and per-sample
// gradients then give, for M samples per program, dL/dθ ≈ (1/M) Σ_j w_j
// ∇_θ log p_θ(y_j | x) (score function, the ELBO at K timesteps standing in
// for log p) or Σ_j (dL/dy_j)ᵀ ∂y_j/∂θ (reparameterization through the DDIM
// chain, or through μ and σ for the Gaussian). The decision gradient is
// mixed with the regularizer's by the reference's gradient-norm balancing
// (dfl_loop.go): the denoising loss on the true pairs, averaged over 10
// (t, ε) draws (one call with each pair repeated 10 times), for
// diffusion; the MSE of the predicted mean μ(x) (Gaussian) or of ŷ(x) (MLP)
// for the baselines.
//
// # Determinism
//
// Every random draw comes from rand.New(rand.NewPCG(seed, stream)) with one
// stream per purpose (params.go), and the networks and solvers give the same
// bits for any number of workers, so a stage's outputs are byte-identical
// for equal params and inputs, and a rerun with unchanged results leaves
// everything below it cached. The exceptions are measurements: the seconds
// column of a curve and the timing and heap columns of stats. The models,
// and so every evaluation, are deterministic.
//
// # Cost at the default profile
//
// The README's Results section lists the measured cost of every stage
// family of the default profile's last run (from its log), and Table 2 the
// time and memory of one DFL training step per estimator. The expensive
// stages are the diffusion DFL kinds (the power K = 50 ablation most), then
// the pretraining kinds; evaluations cost R sampling passes each.
//
// # Deviations introduced here
//
// The README's table lists the deviations from the reference and their
// params. Beside those, these stages:
//
//   - retry an allocation program on which the solver fails. The solver
//     now minimises g(z) = log((1/M) Σ_j exp(−y_jᵀz)) itself (same
//     minimizer, multipliers scaled by F(z*), well conditioned whatever the
//     samples), which handles the heavy-tailed DDIM samples of a barely
//     trained model (|y| up to 200 where the data lie in [−2, 1]) that its
//     former exp(−yᵀz) method failed on; the retry first solves the same
//     g with the general convex method (allocation_log.go). Should that
//     fail too, the program's samples are clipped to ±2.5 (50/(C·n)) and their clipped
//     entries get zero reparameterization gradient. The reference falls back
//     from MOSEK to SCS at loose tolerances instead; a solution whose KKT
//     residuals are within 1e-6 is accepted as the reference accepts OSQP's
//     1e-5;
//   - select on the hold split with the initial model as epoch 0 and common
//     random numbers (above);
//   - regularize the Gaussian baseline with the MSE of μ(x), the expectation
//     of the reference's MSE of the sample mean, which the reference computes
//     but drops (legacy_drop_mse applies only the rescaled decision gradient,
//     with the reference's 1e-6 norm for the Gaussian score function);
//   - train the policy without the portfolio reference's meaningless MSE
//     pretraining of softmax(z) against returns, and without its BatchNorm
//     layers (package model's policy is a plain ReLU MLP);
//   - with mix = 1 apply the decision gradient alone, unscaled (the power
//     reference's baselines have no regularizer at all);
//   - report a policy's RMSE as NaN: its output is a decision, not a
//     prediction (the reference compares z with y);
//   - write one metrics artifact per reference row: the hindsight kind's
//     method param is oracle or equal-weight, the reference kind's
//     population-optimum or true-saa.
//
// The portfolio's default smoothing δ = PortfolioSmooth comes from the
// experiment described at that constant.
package stages
