//! `confpack generate`: a synthetic, seed-reproducible inventory as NDJSON.

use std::fs::File;
use std::io::{BufWriter, Write};

use anyhow::Context;
use confpack_inventory::generate::{Generator, GeneratorOptions};

use crate::args::GenerateArgs;

/// Runs `confpack generate`.
pub fn run(args: &GenerateArgs) -> anyhow::Result<()> {
    let mut generator = Generator::new(GeneratorOptions {
        resources: args.resources,
        seed: args.seed,
        types: args.types.clone(),
        ..GeneratorOptions::default()
    })?;
    let sink: Box<dyn Write> = match &args.out {
        Some(path) => Box::new(File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = BufWriter::with_capacity(1 << 20, sink);
    generator.write_ndjson(&mut out).context("writing the inventory")?;
    out.flush().context("writing the inventory")?;
    Ok(())
}
