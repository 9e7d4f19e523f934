//! Generates the `Action` enum from the checked-in action tables, so the vendor's
//! catalogue is listed once, as data.

use std::fmt::Write as _;
use std::path::Path;
use std::{env, fs};

fn read_table(path: &str) -> Vec<(String, String)> {
    println!("cargo:rerun-if-changed={path}");
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (name, method) =
                line.split_once('\t').unwrap_or_else(|| panic!("{path}: expected `Action<TAB>Method`, got {line:?}"));
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{path}: bad action name {name:?}");
            assert!(matches!(method, "GET" | "POST"), "{path}: bad method {method:?}");
            (name.to_owned(), method.to_owned())
        })
        .collect()
}

fn main() {
    let vendor = read_table("data/actions.tsv");
    let extensions = read_table("data/extensions.tsv");
    let mut code = String::new();
    code.push_str("/// Every action confpack knows: the vendor's 2020-09-07 catalogue, then confpack's extensions.\n");
    code.push_str("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]\npub enum Action {\n");
    for (name, _) in vendor.iter().chain(&extensions) {
        writeln!(code, "    /// The `{name}` action.\n    {name},").ok();
    }
    code.push_str("}\n\n");
    code.push_str("/// The rows of the action table, in catalogue order.\npub const ACTIONS: &[ActionInfo] = &[\n");
    for (origin, rows) in [("Vendor", &vendor), ("Extension", &extensions)] {
        for (name, method) in rows {
            let method = if method == "GET" { "Get" } else { "Post" };
            writeln!(
                code,
                "    ActionInfo {{ action: Action::{name}, name: {name:?}, sdk_method: SdkMethod::{method}, origin: Origin::{origin} }},"
            )
            .ok();
        }
    }
    code.push_str("];\n");
    let out = Path::new(&env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("actions.rs");
    fs::write(out, code).expect("writing the generated action table");
}
