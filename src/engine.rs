//! Runs the pipeline stages for one command and returns an Outcome.
