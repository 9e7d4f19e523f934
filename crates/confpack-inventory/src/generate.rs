//! The synthetic inventory generator behind `confpack generate` (written next).
