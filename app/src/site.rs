//! The names of the built bundle's files. With `hash-files` (Cargo.toml),
//! cargo-leptos puts a hash of each file's content in the names of the
//! bundle's JS, WASM and CSS (`bons.<hash>.wasm`), so browsers and the
//! service worker may keep them for good, and writes the hashes to
//! `hash.txt` next to the server binary. Leptos's `HydrationScripts` reads
//! that file for the JS and WASM; the stylesheet, the service worker's list
//! of files and the cache headers read it through here.
//!
//! Built with `--split` (app/src/split.rs), the bundle has more files: the
//! WASM chunks of the supplier space and the back office, which the browser
//! fetches when it opens those pages, and the small loader the main JS
//! imports to fetch them (`__wasm_split.<hash>.js`, hash line `split`).

use leptos::config::LeptosOptions;

/// The loader's name before cargo-leptos puts its hash in it.
const UNHASHED_SPLIT: &str = "______________________";

/// Where the browser fetches the bundle: `/pkg/bons.<hash>.css`…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleFiles {
    pub js: String,
    pub wasm: String,
    pub css: String,
    /// The chunks' loader, imported by `js`: part of the bundle when it is
    /// built with `--split`, and absent otherwise.
    pub split: String,
    /// The names carry their content's hash: they never change meaning.
    pub hashed: bool,
}

impl BundleFiles {
    /// From the text of `hash.txt` (lines `js: <hash>`, `wasm: <hash>`,
    /// `css: <hash>`), or the plain names when the build did not hash them.
    pub fn new(output_name: &str, pkg_dir: &str, hashes: Option<&str>) -> BundleFiles {
        let hash_of = |kind: &str| {
            hashes?.lines().find_map(|line| {
                let (file, hash) = line.split_once(':')?;
                (file.trim() == kind && !hash.trim().is_empty()).then(|| hash.trim().to_owned())
            })
        };
        let name = |kind: &str| match hash_of(kind) {
            Some(hash) => format!("/{pkg_dir}/{output_name}.{hash}.{kind}"),
            None => format!("/{pkg_dir}/{output_name}.{kind}"),
        };
        let split = format!("/{pkg_dir}/__wasm_split.{}.js", hash_of("split").as_deref().unwrap_or(UNHASHED_SPLIT));
        let hashed = ["js", "wasm", "css"].iter().all(|kind| hash_of(kind).is_some());
        BundleFiles { js: name("js"), wasm: name("wasm"), css: name("css"), split, hashed }
    }
}

/// `hash.txt` next to the running binary, where cargo-leptos writes it.
#[cfg(feature = "ssr")]
pub fn hash_file() -> Option<std::path::PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

/// The bundle's files, read once: `hash.txt` changes only with the binary.
#[cfg(feature = "ssr")]
pub fn bundle(options: &LeptosOptions) -> &'static BundleFiles {
    static BUNDLE: std::sync::OnceLock<BundleFiles> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let hashes = options.hash_files.then(hash_file).flatten().and_then(|p| std::fs::read_to_string(p).ok());
        BundleFiles::new(&options.output_name, &options.site_pkg_dir, hashes.as_deref())
    })
}

/// The stylesheet's address, for the page's `<head>`.
pub fn stylesheet_href(options: &LeptosOptions) -> String {
    #[cfg(feature = "ssr")]
    let files = bundle(options).clone();
    // The shell is rendered on the server only; this keeps it compiling for the browser.
    #[cfg(not(feature = "ssr"))]
    let files = BundleFiles::new(&options.output_name, &options.site_pkg_dir, None);
    files.css
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_come_from_cargo_leptos_hash_file() {
        let hashes = "js: 3q2-7wA\nwasm: AbC_dEf\ncss: xYz012\n";
        let files = BundleFiles::new("bons", "pkg", Some(hashes));
        assert_eq!(files.js, "/pkg/bons.3q2-7wA.js");
        assert_eq!(files.wasm, "/pkg/bons.AbC_dEf.wasm");
        assert_eq!(files.css, "/pkg/bons.xYz012.css");
        assert!(files.hashed);
    }

    #[test]
    fn a_split_build_names_its_chunks_loader() {
        let hashes = "js: a\nwasm: b\ncss: c\nmanifest: d\nsplit: Ab-cD_ef\n";
        let files = BundleFiles::new("bons", "pkg", Some(hashes));
        assert_eq!(files.split, "/pkg/__wasm_split.Ab-cD_ef.js");
        assert!(files.hashed);
        let unhashed = BundleFiles::new("bons", "pkg", None);
        assert_eq!(unhashed.split, "/pkg/__wasm_split.______________________.js");
    }

    #[test]
    fn without_hashes_the_names_are_plain_and_not_kept_for_good() {
        for hashes in [None, Some(""), Some("js: abc\n")] {
            let files = BundleFiles::new("bons", "pkg", hashes);
            assert_eq!(files.css, "/pkg/bons.css");
            assert!(!files.hashed, "{hashes:?}");
        }
    }
}
