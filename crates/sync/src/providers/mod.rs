//! One folder per provider.
