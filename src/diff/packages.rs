//! Package trees between base, head and mainline.
