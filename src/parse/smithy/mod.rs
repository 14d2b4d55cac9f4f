//! Smithy JSON AST models.
