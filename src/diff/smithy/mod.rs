//! Smithy model diff and the smithy-diff evaluators.
