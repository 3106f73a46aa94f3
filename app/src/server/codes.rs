//! Secrets derived from the server key: the voucher's secret code, and the
//! signature on the QR code's check link. The key comes from configuration and
//! never enters the database; codes are recomputed, not stored.
//!
//! The server key has versions (`bons secret rotate` adds one): a voucher or
//! a pass records the version its code and QR link were made with, the newest
//! version makes everything new, and older ones stay to recompute and check
//! what they made until `bons secret retire` removes them.

use hmac::{Hmac, Mac};
use qrcode::{EcLevel, QrCode, render::svg};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

use crate::domain::SecretCodeLength;

type HmacSha256 = Hmac<Sha256>;

/// Digits of a pass's secret code.
pub const PASS_CODE_DIGITS: u8 = 6;

/// Sub-keys derived from the server secret, one per purpose, so that a
/// signature made for one use can never be replayed as another.
#[derive(Clone)]
pub struct Keys {
    code: [u8; 32],
    pass_code: [u8; 32],
    check_link: [u8; 32],
    device: [u8; 32],
    flash: [u8; 32],
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys(..)")
    }
}

/// A secret code: the member's signature on the delivery slip. Its Debug form
/// is redacted so it never lands in a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretCode(String);

impl SecretCode {
    pub fn reveal(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretCode(****)")
    }
}

/// Everything the code depends on; all of it is stored with the voucher, so
/// the agency can recompute the code later. The number and the time of use
/// are in their stored forms (`W2026.NA.442.00000001`, RFC 3339 UTC).
pub struct CodeInputs {
    pub number: String,
    pub supplier_id: i64,
    pub amount_cents: i64,
    pub used_at: String,
    pub length: SecretCodeLength,
}

impl Keys {
    pub fn from_secret(secret: &[u8]) -> Keys {
        Keys {
            code: derive(secret, b"bons/secret-code/v1"),
            pass_code: derive(secret, b"bons/pass-code/v1"),
            check_link: derive(secret, b"bons/check-link/v1"),
            device: derive(secret, b"bons/device-cookie/v1"),
            flash: derive(secret, b"bons/form-flash/v1"),
        }
    }

    pub fn secret_code(&self, inputs: &CodeInputs) -> SecretCode {
        let message = format!("{}|{}|{}|{}", inputs.number, inputs.supplier_id, inputs.amount_cents, inputs.used_at);
        let tag = hmac(&self.code, message.as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag[..8]);
        // 2^64 against at most 10^8 values: the modulo bias is below 10^-10.
        let modulus = 10u64.pow(u32::from(inputs.length.digits()));
        let width = usize::from(inputs.length.digits());
        SecretCode(format!("{:0width$}", u64::from_be_bytes(first) % modulus))
    }

    /// Does `typed` equal the code of `inputs`? The comparison takes the same
    /// time wherever the first wrong digit is.
    pub fn code_matches(&self, inputs: &CodeInputs, typed: &str) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.secret_code(inputs);
        let expected = expected.reveal().as_bytes();
        // Lengths are public (the agency's setting), so comparing them first leaks nothing.
        expected.len() == typed.len() && bool::from(expected.ct_eq(typed.as_bytes()))
    }

    /// A pass's secret code, printed on it: its number and face value
    /// signed with a key of its own, `PASS_CODE_DIGITS` digits. A pass is
    /// paper a stranger may pick up, so its code is longer than a voucher's
    /// (which lives on its member's phone).
    pub fn pass_code(&self, number: &str, face_value_cents: i64) -> SecretCode {
        let tag = hmac(&self.pass_code, format!("{number}|{face_value_cents}").as_bytes());
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag[..8]);
        let width = usize::from(PASS_CODE_DIGITS);
        SecretCode(format!("{:0width$}", u64::from_be_bytes(first) % 10u64.pow(u32::from(PASS_CODE_DIGITS))))
    }

    /// Does `typed` equal the pass's code? Constant-time, like `code_matches`.
    pub fn pass_code_matches(&self, number: &str, face_value_cents: i64, typed: &str) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.pass_code(number, face_value_cents);
        let expected = expected.reveal().as_bytes();
        expected.len() == typed.len() && bool::from(expected.ct_eq(typed.as_bytes()))
    }

    /// The signature carried by the QR code's link: 128 bits, hex.
    pub fn sign_check_link(&self, number: &str) -> String {
        hex::encode(&hmac(&self.check_link, number.as_bytes())[..16])
    }

    /// Carried by the check page's link after someone typed the right code:
    /// proof that the code was checked, which a QR signature cannot pass for.
    pub fn sign_code_checked(&self, number: &str) -> String {
        self.sign_check_link(&format!("{number}|code"))
    }

    pub fn verify_code_checked(&self, number: &str, proof: &str) -> bool {
        self.verify_check_link(&format!("{number}|code"), proof)
    }

    /// The signature of a form's error kept in the browser for the page it
    /// returns to (`server/src/http/forms.rs`): only the server makes one.
    pub fn sign_flash(&self, value: &str) -> String {
        hex::encode(&hmac(&self.flash, value.as_bytes())[..16])
    }

    pub fn verify_flash(&self, value: &str, signature: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.sign_flash(value).as_bytes().ct_eq(signature.as_bytes()))
    }

    pub fn verify_check_link(&self, number: &str, signature: &str) -> bool {
        let Ok(given) = hex::decode(signature.trim()) else {
            return false;
        };
        let mut mac = HmacSha256::new_from_slice(&self.check_link).expect("HMAC takes any key length");
        mac.update(number.as_bytes());
        mac.verify_truncated_left(&given).is_ok() && given.len() == 16
    }
}

impl Keys {
    /// The signature of a device cookie: this device (`nonce`) logged in to
    /// `account_id` before. 128 bits, hex.
    pub fn sign_device(&self, account_id: i64, nonce: &str) -> String {
        hex::encode(&hmac(&self.device, format!("{account_id}|{nonce}").as_bytes())[..16])
    }

    pub fn verify_device(&self, account_id: i64, nonce: &str, signature: &str) -> bool {
        let Ok(given) = hex::decode(signature) else {
            return false;
        };
        let mut mac = HmacSha256::new_from_slice(&self.device).expect("HMAC takes any key length");
        mac.update(format!("{account_id}|{nonce}").as_bytes());
        given.len() == 16 && mac.verify_truncated_left(&given).is_ok()
    }
}

/// The server's keys by version. Never empty: the highest version is the
/// current one, which signs everything made from now on; the others only
/// recompute and check what they made.
#[derive(Clone)]
pub struct Keyring {
    keys: BTreeMap<i64, Keys>,
}

/// A keyring's text (the secret file, or `BONS_SECRET`) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyringError {
    #[error("no key in it")]
    Empty,
    #[error("entry {0}: a key is hex and at least 32 bytes long")]
    WeakKey(String),
    #[error("entry {0}: expected <version>:<hex key>, version a whole number from 1")]
    Unreadable(String),
    #[error("version {0} is there twice")]
    Duplicate(i64),
}

/// No key of this version on this server: retired, or made by a server with
/// a newer key file (a rotation not copied here yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissingKey(pub i64);

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keyring(versions {:?})", self.keys.keys().collect::<Vec<_>>())
    }
}

/// The smallest key accepted, in bytes.
pub const MIN_KEY_BYTES: usize = 32;

impl Keyring {
    /// One key, version 1: a server that never rotated.
    pub fn from_secret(secret: &[u8]) -> Keyring {
        Keyring { keys: BTreeMap::from([(1, Keys::from_secret(secret))]) }
    }

    /// Keys by version, e.g. as read by `parse_keyring`.
    pub fn from_versions(secrets: &[(i64, Vec<u8>)]) -> Result<Keyring, KeyringError> {
        let mut keys = BTreeMap::new();
        for (version, secret) in secrets {
            if keys.insert(*version, Keys::from_secret(secret)).is_some() {
                return Err(KeyringError::Duplicate(*version));
            }
        }
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        Ok(Keyring { keys })
    }

    /// The version that signs what is made now.
    pub fn current_version(&self) -> i64 {
        self.keys.last_key_value().map_or(1, |(v, _)| *v)
    }

    pub fn current(&self) -> &Keys {
        self.keys.last_key_value().map(|(_, k)| k).expect("a keyring is never empty")
    }

    /// The keys of `version`, which made a voucher's or a pass's code.
    pub fn version(&self, version: i64) -> Result<&Keys, MissingKey> {
        self.keys.get(&version).ok_or(MissingKey(version))
    }

    pub fn versions(&self) -> impl Iterator<Item = i64> + '_ {
        self.keys.keys().copied()
    }

    /// A signature made by any version still held, newest first: links and
    /// cookies made before a rotation hold until their key is retired.
    fn any(&self, holds: impl Fn(&Keys) -> bool) -> bool {
        self.keys.values().rev().any(holds)
    }

    pub fn verify_check_link(&self, number: &str, signature: &str) -> bool {
        self.any(|k| k.verify_check_link(number, signature))
    }

    pub fn sign_code_checked(&self, number: &str) -> String {
        self.current().sign_code_checked(number)
    }

    pub fn verify_code_checked(&self, number: &str, proof: &str) -> bool {
        self.any(|k| k.verify_code_checked(number, proof))
    }

    pub fn sign_flash(&self, value: &str) -> String {
        self.current().sign_flash(value)
    }

    pub fn verify_flash(&self, value: &str, signature: &str) -> bool {
        self.any(|k| k.verify_flash(value, signature))
    }

    pub fn sign_device(&self, account_id: i64, nonce: &str) -> String {
        self.current().sign_device(account_id, nonce)
    }

    pub fn verify_device(&self, account_id: i64, nonce: &str, signature: &str) -> bool {
        self.any(|k| k.verify_device(account_id, nonce, signature))
    }
}

/// Reads a keyring's text: entries `<version>:<hex key>` separated by new
/// lines, spaces or commas, `#` starting a comment line. A lone hex key (the
/// secret file of a server that never rotated) is version 1.
pub fn parse_keyring(text: &str) -> Result<Vec<(i64, Vec<u8>)>, KeyringError> {
    let entries: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(|line| line.split([',', ' ', '\t']))
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .collect();
    let key = |entry: &str, hex_key: &str| {
        hex::decode(hex_key)
            .ok()
            .filter(|k| k.len() >= MIN_KEY_BYTES)
            .ok_or_else(|| KeyringError::WeakKey(redacted(entry)))
    };
    if let [lone] = entries.as_slice()
        && !lone.contains(':')
    {
        return Ok(vec![(1, key("1", lone)?)]);
    }
    let mut versions = Vec::with_capacity(entries.len());
    for entry in entries {
        let (version, hex_key) = entry.split_once(':').ok_or_else(|| KeyringError::Unreadable(redacted(entry)))?;
        let version: i64 =
            version.parse().ok().filter(|v| *v >= 1).ok_or_else(|| KeyringError::Unreadable(redacted(entry)))?;
        if versions.iter().any(|(v, _)| *v == version) {
            return Err(KeyringError::Duplicate(version));
        }
        versions.push((version, key(entry, hex_key)?));
    }
    if versions.is_empty() {
        return Err(KeyringError::Empty);
    }
    Ok(versions)
}

/// The text of a keyring, as `parse_keyring` reads it back.
pub fn format_keyring(versions: &[(i64, Vec<u8>)]) -> String {
    let mut text = String::from(
        "# bons server keys, one per line: <version>:<hex>. The highest version signs new codes;\n\
         # the others still check older ones. Change with `bons secret rotate` and `bons secret retire`.\n",
    );
    for (version, key) in versions {
        text.push_str(&format!("{version}:{}\n", hex::encode(key)));
    }
    text
}

/// An entry as an error may show it: its version, never its key.
fn redacted(entry: &str) -> String {
    match entry.split_once(':') {
        Some((version, _)) if version.len() <= 12 => format!("« {version}:… »"),
        _ => "« … »".into(),
    }
}

fn derive(secret: &[u8], purpose: &[u8]) -> [u8; 32] {
    hmac(secret, purpose)
}

fn hmac(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Session tokens and the like are stored as their SHA-256, never in clear.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The QR code as an SVG document, drawn by the server.
pub fn qr_svg(content: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(svg::Color("#111111"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// A QR code's modules, for drawing it elsewhere than in SVG (the passes'
/// print-ready PDF).
pub struct QrMatrix {
    pub width: usize,
    dark: Vec<bool>,
}

impl QrMatrix {
    pub fn new(content: &str) -> Option<QrMatrix> {
        let code = QrCode::with_error_correction_level(content.as_bytes(), EcLevel::M).ok()?;
        let dark = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
        Some(QrMatrix { width: code.width(), dark })
    }

    pub fn dark(&self, row: usize, column: usize) -> bool {
        self.dark[row * self.width + column]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs(length: u8) -> CodeInputs {
        CodeInputs {
            number: "W2026.NA.442.00000001".into(),
            supplier_id: 1,
            amount_cents: 1300,
            used_at: "2026-11-23T13:15:11.123456Z".into(),
            length: SecretCodeLength::new(length).unwrap(),
        }
    }

    #[test]
    fn a_code_can_be_recomputed_and_has_the_configured_length() {
        let keys = Keys::from_secret(b"a server secret of some length");
        let code = keys.secret_code(&inputs(4));
        assert_eq!(code.reveal().len(), 4);
        assert!(code.reveal().chars().all(|c| c.is_ascii_digit()));
        assert_eq!(keys.secret_code(&inputs(4)), code);
        assert_eq!(keys.secret_code(&inputs(8)).reveal().len(), 8);
    }

    #[test]
    fn the_code_depends_on_the_key_and_on_every_input() {
        let keys = Keys::from_secret(b"one secret");
        let base = keys.secret_code(&inputs(8));
        assert_ne!(Keys::from_secret(b"another secret").secret_code(&inputs(8)), base);
        let mut other = inputs(8);
        other.amount_cents = 1400;
        assert_ne!(keys.secret_code(&other), base);
        let mut other = inputs(8);
        other.supplier_id = 2;
        assert_ne!(keys.secret_code(&other), base);
        let mut other = inputs(8);
        other.used_at = "2026-11-23T13:15:11.123457Z".into();
        assert_ne!(keys.secret_code(&other), base);
    }

    #[test]
    fn a_typed_code_matches_only_the_right_code() {
        let keys = Keys::from_secret(b"k");
        let code = keys.secret_code(&inputs(6));
        assert!(keys.code_matches(&inputs(6), code.reveal()));
        let mut wrong = code.reveal().to_owned().into_bytes();
        wrong[5] = if wrong[5] == b'9' { b'0' } else { wrong[5] + 1 };
        assert!(!keys.code_matches(&inputs(6), std::str::from_utf8(&wrong).unwrap()));
        assert!(!keys.code_matches(&inputs(6), &code.reveal()[..5]));
        assert!(!keys.code_matches(&inputs(6), ""));
    }

    #[test]
    fn a_device_cookie_holds_only_for_its_account_and_device() {
        let keys = Keys::from_secret(b"k");
        let nonce = "00112233445566778899aabbccddeeff";
        let signature = keys.sign_device(7, nonce);
        assert!(keys.verify_device(7, nonce, &signature));
        assert!(!keys.verify_device(8, nonce, &signature), "another account");
        assert!(!keys.verify_device(7, "00112233445566778899aabbccddeef0", &signature), "another device");
        assert!(!Keys::from_secret(b"other").verify_device(7, nonce, &signature), "another server secret");
        assert!(!keys.verify_device(7, nonce, &signature[..30]), "a shortened signature");
        assert!(!keys.verify_device(7, nonce, "not hex"));
        // The check link's key signs nothing a device cookie would accept.
        assert!(!keys.verify_device(7, nonce, &keys.sign_check_link(&format!("7|{nonce}"))));
    }

    #[test]
    fn codes_never_show_in_debug_output() {
        let keys = Keys::from_secret(b"k");
        let code = keys.secret_code(&inputs(4));
        assert!(!format!("{code:?}").contains(code.reveal()));
        assert_eq!(format!("{keys:?}"), "Keys(..)");
    }

    #[test]
    fn check_links_cannot_be_forged() {
        let keys = Keys::from_secret(b"k");
        let sig = keys.sign_check_link("W2026.NA.442.00000001");
        assert_eq!(sig.len(), 32);
        assert!(keys.verify_check_link("W2026.NA.442.00000001", &sig));
        assert!(!keys.verify_check_link("W2026.NA.442.00000002", &sig));
        assert!(!keys.verify_check_link("W2026.NA.442.00000001", &sig[..30]));
        assert!(!keys.verify_check_link("W2026.NA.442.00000001", "zz"));
        assert!(!Keys::from_secret(b"other").verify_check_link("W2026.NA.442.00000001", &sig));
        let proof = keys.sign_code_checked("W2026.NA.442.00000001");
        assert!(keys.verify_code_checked("W2026.NA.442.00000001", &proof));
        assert!(!keys.verify_code_checked("W2026.NA.442.00000001", &sig), "a QR link is no proof of a code");
        assert!(!keys.verify_check_link("W2026.NA.442.00000001", &proof));
    }

    #[test]
    fn a_pass_code_depends_on_its_number_its_value_and_the_key() {
        let keys = Keys::from_secret(b"k");
        let code = keys.pass_code("P2026.NA.442.00000001", 2_000);
        assert_eq!(code.reveal().len(), usize::from(PASS_CODE_DIGITS));
        assert!(keys.pass_code_matches("P2026.NA.442.00000001", 2_000, code.reveal()));
        assert!(!keys.pass_code_matches("P2026.NA.442.00000002", 2_000, code.reveal()));
        assert!(!keys.pass_code_matches("P2026.NA.442.00000001", 5_000, code.reveal()));
        assert!(!Keys::from_secret(b"other").pass_code_matches("P2026.NA.442.00000001", 2_000, code.reveal()));
        assert!(!keys.pass_code_matches("P2026.NA.442.00000001", 2_000, &code.reveal()[..5]));
        // Not the voucher code of the same text: each purpose has its own key.
        let as_voucher = CodeInputs {
            number: "P2026.NA.442.00000001".into(),
            supplier_id: 2_000,
            amount_cents: 0,
            used_at: String::new(),
            length: SecretCodeLength::new(PASS_CODE_DIGITS).unwrap(),
        };
        assert_ne!(keys.secret_code(&as_voucher), code);
    }

    fn key(byte: u8) -> Vec<u8> {
        vec![byte; MIN_KEY_BYTES]
    }

    #[test]
    fn a_keyring_reads_a_lone_key_as_version_1_and_lines_as_versions() {
        assert_eq!(parse_keyring(&format!("{}\n", hex::encode(key(1)))).unwrap(), vec![(1, key(1))]);
        let text = format_keyring(&[(1, key(1)), (3, key(3))]);
        assert!(text.starts_with('#'), "{text}");
        assert_eq!(parse_keyring(&text).unwrap(), vec![(1, key(1)), (3, key(3))]);
        // BONS_SECRET holds the same entries on one line.
        let one_line = format!("1:{}, 2:{}", hex::encode(key(1)), hex::encode(key(2)));
        assert_eq!(parse_keyring(&one_line).unwrap(), vec![(1, key(1)), (2, key(2))]);
    }

    #[test]
    fn a_bad_keyring_is_refused_without_showing_a_key() {
        let good = hex::encode(key(1));
        assert_eq!(parse_keyring("  \n# nothing\n"), Err(KeyringError::Empty));
        assert_eq!(parse_keyring(&format!("1:{good}\n1:{good}")), Err(KeyringError::Duplicate(1)));
        for bad in [format!("0:{good}"), format!("x:{good}"), format!("1:{good} {good}")] {
            let error = parse_keyring(&bad).unwrap_err();
            assert!(matches!(error, KeyringError::Unreadable(_)), "{bad}: {error:?}");
            assert!(!error.to_string().contains(&good), "{error}");
        }
        let short = format!("2:{}", &good[..62]);
        let error = parse_keyring(&short).unwrap_err();
        assert_eq!(error, KeyringError::WeakKey("« 2:… »".into()));
    }

    #[test]
    fn the_newest_key_signs_and_every_key_held_checks() {
        let before = Keyring::from_versions(&[(1, key(1))]).unwrap();
        let after = Keyring::from_versions(&[(1, key(1)), (2, key(2))]).unwrap();
        assert_eq!((before.current_version(), after.current_version()), (1, 2));
        let number = "W2026.NA.442.00000001";
        let old_link = before.current().sign_check_link(number);
        let new_link = after.current().sign_check_link(number);
        assert_ne!(old_link, new_link, "a new key signs differently");
        assert!(after.verify_check_link(number, &old_link) && after.verify_check_link(number, &new_link));
        assert!(!before.verify_check_link(number, &new_link), "a server without the new key");
        // A code is recomputed with its own version, the same as before the rotation.
        let code = before.current().secret_code(&inputs(6));
        assert_eq!(after.version(1).unwrap().secret_code(&inputs(6)), code);
        assert_ne!(after.current().secret_code(&inputs(6)), code);
        assert_eq!(after.version(3).err(), Some(MissingKey(3)));
        // Cookies, flashes and code proofs made before hold after.
        let device = before.sign_device(7, "nonce");
        assert!(after.verify_device(7, "nonce", &device));
        assert!(after.verify_flash("x", &before.sign_flash("x")));
        assert!(after.verify_code_checked(number, &before.sign_code_checked(number)));
        // Retired: what it made no longer checks.
        let retired = Keyring::from_versions(&[(2, key(2))]).unwrap();
        assert!(!retired.verify_check_link(number, &old_link) && retired.verify_check_link(number, &new_link));
        assert!(!retired.verify_device(7, "nonce", &device));
    }

    #[test]
    fn qr_codes_are_svg() {
        let svg = qr_svg("https://bons.example/verifier/W2026.NA.442.00000001?s=00").unwrap();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }
}
