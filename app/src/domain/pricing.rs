//! What a sponsor's order costs, written once for the shop's cart, its
//! checkout and the order it keeps.
//!
//! An order has two kinds of lines (docs/DOMAIN.md, "Sponsors' passes"):
//! - **Pass Castors** booklets: their face value is a multi-purpose
//!   voucher's, outside the scope of VAT (category `O`). That money pays the
//!   suppliers: no discount ever touches it.
//! - **Fees and services** (the upstream contributory fees, 4 % excl. VAT of
//!   the passes' value; the « accompagnement technique »; delivery): VAT at
//!   20 % (category `S`). A discount code lowers these only.
//!
//! Amounts are integer cents. There is one rounding rule, [`Rate::of`]:
//! a rate applied to an amount is rounded to the nearest cent, halves up.
//! VAT is computed once on the category's total after the discount, as
//! EN 16931 computes it (BT-117 = BT-116 × rate), not line by line.

use super::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A rate in hundredths of a percent: 4 % is 400, 20 % is 2 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Rate(u32);

impl Rate {
    /// 100 %: a percentage discount goes no further.
    pub const FULL: Rate = Rate(10_000);

    pub const fn percent(whole: u32) -> Rate {
        Rate(whole * 100)
    }

    pub const fn from_basis_points(points: u32) -> Rate {
        Rate(points)
    }

    pub const fn basis_points(self) -> u32 {
        self.0
    }

    /// `amount × rate`, rounded to the nearest cent, halves up (away from
    /// zero for a negative amount): the one rounding rule of orders.
    pub fn of(self, amount: Money) -> Money {
        let exact = i128::from(amount.cents()) * i128::from(self.0);
        let half = if exact < 0 { -5_000 } else { 5_000 };
        let cents = (exact + half) / 10_000;
        Money::from_cents(i64::try_from(cents).unwrap_or(if exact < 0 { i64::MIN } else { i64::MAX }))
    }

    /// Reads "4", "4,5", "20 %", "12.25": at most two decimals, at most 100 %.
    pub fn parse(input: &str) -> Option<Rate> {
        let text = input.trim().trim_end_matches('%').trim().replace(',', ".");
        let (whole, decimals) = match text.split_once('.') {
            Some((whole, decimals)) => (whole, Some(decimals)),
            None => (text.as_str(), None),
        };
        let digits = |s: &str| !s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit());
        // A comma says decimals follow: "4," is a slip, not 4 %.
        let decimals_ok = decimals.is_none_or(|d| d.len() <= 2 && digits(d));
        if !digits(whole) || !decimals_ok {
            return None;
        }
        let hundredths: u32 = format!("{:0<2}", decimals.unwrap_or_default()).parse().ok()?;
        let rate = Rate(whole.parse::<u32>().ok()? * 100 + hundredths);
        (rate <= Rate::FULL).then_some(rate)
    }
}

/// "4 %", "4,5 %", "12,25 %".
impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, hundredths) = (self.0 / 100, self.0 % 100);
        match hundredths {
            0 => write!(f, "{whole}\u{a0}%"),
            h if h % 10 == 0 => write!(f, "{whole},{}\u{a0}%", h / 10),
            h => write!(f, "{whole},{h:02}\u{a0}%"),
        }
    }
}

/// The VAT category of a line (EN 16931, UNTDID 5305).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum VatCategory {
    /// `O`: outside the scope of VAT, the passes' face value.
    OutOfScope,
    /// `S`: the standard rate, fees and services.
    Standard,
}

impl VatCategory {
    pub fn code(self) -> &'static str {
        match self {
            VatCategory::OutOfScope => "O",
            VatCategory::Standard => "S",
        }
    }
}

/// What the shop sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Product {
    /// A booklet of Pass Castors of this face value each.
    Booklet { face_value: Money },
    /// « Accompagnement technique »: engineering support at a fixed price.
    Accompaniment,
    /// Delivery of the booklets.
    Delivery,
}

impl Product {
    /// How a table stores it: its kind, and a booklet's face value in cents
    /// (0 for the others).
    pub fn stored(self) -> (&'static str, i64) {
        match self {
            Product::Booklet { face_value } => ("booklet", face_value.cents()),
            Product::Accompaniment => ("accompaniment", 0),
            Product::Delivery => ("delivery", 0),
        }
    }

    pub fn from_stored(kind: &str, face_value: i64) -> Option<Product> {
        match kind {
            "booklet" if face_value > 0 => Some(Product::Booklet { face_value: Money::from_cents(face_value) }),
            "accompaniment" => Some(Product::Accompaniment),
            "delivery" => Some(Product::Delivery),
            _ => None,
        }
    }

    /// How a form names it: `carnet-2000` (a booklet of 20 € passes),
    /// `accompagnement`, `livraison`.
    pub fn key(self) -> String {
        match self {
            Product::Booklet { face_value } => format!("carnet-{}", face_value.cents()),
            Product::Accompaniment => "accompagnement".to_owned(),
            Product::Delivery => "livraison".to_owned(),
        }
    }

    pub fn from_key(key: &str) -> Option<Product> {
        match key.trim() {
            "accompagnement" => Some(Product::Accompaniment),
            "livraison" => Some(Product::Delivery),
            other => {
                let cents: i64 = other.strip_prefix("carnet-")?.parse().ok()?;
                (cents > 0).then(|| Product::Booklet { face_value: Money::from_cents(cents) })
            }
        }
    }
}

/// The most of one product in one order: more is a typing slip, and it
/// keeps every total far from overflowing.
pub const MAX_QUANTITY: u32 = 1_000;

/// A product and how many of it: a cart's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub product: Product,
    pub quantity: u32,
}

/// The prices and rates of the day, as the agency sets them. An order
/// keeps a copy of what it was quoted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceList {
    /// The passes' face values on offer, 10, 20 and 50 € by default.
    pub face_values: Vec<Money>,
    /// Passes in one booklet.
    pub booklet_size: u32,
    /// The upstream contributory fees, a share of the passes' value (excl. VAT).
    pub fee_rate: Rate,
    /// The « accompagnement technique », excl. VAT.
    pub accompaniment: Money,
    /// Delivery, excl. VAT.
    pub delivery: Money,
    /// VAT on fees and services.
    pub vat_rate: Rate,
}

impl Default for PriceList {
    fn default() -> PriceList {
        PriceList {
            face_values: vec![Money::from_euros(10), Money::from_euros(20), Money::from_euros(50)],
            booklet_size: 10,
            fee_rate: Rate::percent(4),
            accompaniment: Money::from_euros(1_200),
            delivery: Money::from_euros(15),
            vat_rate: Rate::percent(20),
        }
    }
}

impl PriceList {
    /// The price of one, excl. VAT (a booklet's is its passes' face value);
    /// `None` for a face value not on offer.
    pub fn unit_price(&self, product: Product) -> Option<Money> {
        match product {
            Product::Booklet { face_value } if self.face_values.contains(&face_value) => {
                Some(Money::from_cents(face_value.cents() * i64::from(self.booklet_size)))
            }
            Product::Booklet { .. } => None,
            Product::Accompaniment => Some(self.accompaniment),
            Product::Delivery => Some(self.delivery),
        }
    }

    /// As the cart and the order's documents name it.
    pub fn label(&self, product: Product) -> String {
        match product {
            Product::Booklet { face_value } => format!("Carnet de {} Pass Castors de {face_value}", self.booklet_size),
            Product::Accompaniment => "Accompagnement technique".to_owned(),
            Product::Delivery => "Frais de livraison".to_owned(),
        }
    }

    /// Everything on sale, booklets first.
    pub fn catalogue(&self) -> Vec<Product> {
        let booklets = self.face_values.iter().map(|&face_value| Product::Booklet { face_value });
        booklets.chain([Product::Accompaniment, Product::Delivery]).collect()
    }
}

/// A reduction on fees and services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Discount {
    Percent(Rate),
    Fixed(Money),
}

impl Discount {
    /// What it takes off `base`: never more than `base`, never below zero.
    pub fn on(self, base: Money) -> Money {
        let off = match self {
            Discount::Percent(rate) => rate.min(Rate::FULL).of(base),
            Discount::Fixed(amount) => amount,
        };
        Money::from_cents(off.cents().clamp(0, base.cents().max(0)))
    }
}

/// "10 %", "50 €".
impl fmt::Display for Discount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Discount::Percent(rate) => rate.fmt(f),
            Discount::Fixed(amount) => amount.fmt(f),
        }
    }
}

/// Why a cart cannot be priced; the message is what the sponsor reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuoteError {
    #[error("Votre panier est vide.")]
    Empty,
    #[error("« {0} » n'est plus proposé : retirez-le de votre panier.")]
    NotOnSale(String),
    #[error("La quantité de « {0} » doit être comprise entre 1 et {MAX_QUANTITY}.")]
    Quantity(String),
}

/// One line of a quote, as the order and its invoices show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuoteLine {
    /// `None` for the fees, which follow from the passes.
    pub product: Option<Product>,
    pub label: String,
    pub quantity: u32,
    pub unit_price: Money,
    /// `quantity × unit_price`, excl. VAT.
    pub net: Money,
    pub category: VatCategory,
}

/// What an order costs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    pub lines: Vec<QuoteLine>,
    /// The passes' face value: category `O`, untouched by any discount.
    pub passes_value: Money,
    /// Fees and services before the discount, excl. VAT: category `S`.
    pub fees_and_services: Money,
    /// Taken off fees and services.
    pub discount: Money,
    pub vat_rate: Rate,
    /// On fees and services after the discount.
    pub vat: Money,
    pub total_excl_vat: Money,
    pub total_incl_vat: Money,
}

impl Quote {
    /// Fees and services after the discount, excl. VAT: the VAT's base.
    pub fn taxable(&self) -> Money {
        Money::from_cents(self.fees_and_services.cents() - self.discount.cents())
    }
}

/// Prices a cart at `prices`, with a discount on fees and services. The
/// upstream fees are a line of their own, computed from the passes' value.
pub fn quote(prices: &PriceList, cart: &[CartLine], discount: Option<Discount>) -> Result<Quote, QuoteError> {
    if cart.is_empty() {
        return Err(QuoteError::Empty);
    }
    let mut lines = Vec::with_capacity(cart.len() + 1);
    for line in cart {
        let label = prices.label(line.product);
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(QuoteError::Quantity(label));
        }
        let unit_price = prices.unit_price(line.product).ok_or_else(|| QuoteError::NotOnSale(label.clone()))?;
        let category = match line.product {
            Product::Booklet { .. } => VatCategory::OutOfScope,
            Product::Accompaniment | Product::Delivery => VatCategory::Standard,
        };
        let net = Money::from_cents(unit_price.cents() * i64::from(line.quantity));
        lines.push(QuoteLine {
            product: Some(line.product),
            label,
            quantity: line.quantity,
            unit_price,
            net,
            category,
        });
    }
    let sum = |category: VatCategory, lines: &[QuoteLine]| {
        Money::from_cents(lines.iter().filter(|l| l.category == category).map(|l| l.net.cents()).sum())
    };
    let passes_value = sum(VatCategory::OutOfScope, &lines);
    if passes_value > Money::ZERO {
        let fees = prices.fee_rate.of(passes_value);
        lines.push(QuoteLine {
            product: None,
            label: format!("Frais contributifs amont ({} HT de la valeur des pass)", prices.fee_rate),
            quantity: 1,
            unit_price: fees,
            net: fees,
            category: VatCategory::Standard,
        });
    }
    let fees_and_services = sum(VatCategory::Standard, &lines);
    let discount = discount.map_or(Money::ZERO, |d| d.on(fees_and_services));
    let taxable = Money::from_cents(fees_and_services.cents() - discount.cents());
    let vat = prices.vat_rate.of(taxable);
    let total_excl_vat = Money::from_cents(passes_value.cents() + taxable.cents());
    Ok(Quote {
        lines,
        passes_value,
        fees_and_services,
        discount,
        vat_rate: prices.vat_rate,
        vat,
        total_excl_vat,
        total_incl_vat: Money::from_cents(total_excl_vat.cents() + vat.cents()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn booklets(euros: i64, quantity: u32) -> CartLine {
        CartLine { product: Product::Booklet { face_value: Money::from_euros(euros) }, quantity }
    }

    fn cents(c: i64) -> Money {
        Money::from_cents(c)
    }

    #[test]
    fn rates_round_to_the_nearest_cent_halves_up() {
        assert_eq!(Rate::percent(4).of(Money::from_euros(600)), Money::from_euros(24));
        assert_eq!(Rate::percent(15).of(cents(3_510)), cents(527), "5,265 € → 5,27 €");
        assert_eq!(Rate::percent(20).of(cents(2_983)), cents(597), "5,966 € → 5,97 €");
        assert_eq!(Rate::percent(20).of(cents(2_982)), cents(596), "5,964 € → 5,96 €");
        assert_eq!(Rate::from_basis_points(1).of(cents(5_000)), cents(1), "0,005 € → 0,01 €");
        assert_eq!(Rate::from_basis_points(1).of(cents(4_999)), cents(0));
        assert_eq!(Rate::percent(20).of(cents(-2_983)), cents(-597));
    }

    #[test]
    fn rates_read_and_write_the_french_way() {
        assert_eq!(Rate::parse("4"), Some(Rate::percent(4)));
        assert_eq!(Rate::parse("4,5 %"), Some(Rate::from_basis_points(450)));
        assert_eq!(Rate::parse("12.25"), Some(Rate::from_basis_points(1_225)));
        assert_eq!(Rate::parse("100"), Some(Rate::FULL));
        for bad in ["", "%", "-4", "4,555", "101", "1e2", "4,", ",5", "quatre"] {
            assert_eq!(Rate::parse(bad), None, "{bad:?}");
        }
        assert_eq!(Rate::percent(4).to_string(), "4\u{a0}%");
        assert_eq!(Rate::from_basis_points(450).to_string(), "4,5\u{a0}%");
        assert_eq!(Rate::from_basis_points(1_225).to_string(), "12,25\u{a0}%");
    }

    /// The demo's order: three booklets of ten 20 € passes, delivery, and
    /// BIENVENUE10. Computed by hand:
    /// passes 600,00 (O); fees 4 % of 600 = 24,00; delivery 15,00;
    /// fees and services 39,00, less 10 % = 3,90 → 35,10; VAT 20 % = 7,02;
    /// excl. VAT 600 + 35,10 = 635,10; incl. VAT 642,12.
    #[test]
    fn a_hand_computed_order() {
        let prices = PriceList::default();
        let cart = [booklets(20, 3), CartLine { product: Product::Delivery, quantity: 1 }];
        let q = quote(&prices, &cart, Some(Discount::Percent(Rate::percent(10)))).unwrap();
        assert_eq!(q.passes_value, cents(60_000));
        assert_eq!(q.fees_and_services, cents(3_900));
        assert_eq!(q.discount, cents(390));
        assert_eq!(q.vat, cents(702));
        assert_eq!(q.total_excl_vat, cents(63_510));
        assert_eq!(q.total_incl_vat, cents(64_212));
        let fees = q.lines.iter().find(|l| l.product.is_none()).expect("the fees' line");
        assert_eq!((fees.net, fees.category), (cents(2_400), VatCategory::Standard));
        assert_eq!(fees.label, "Frais contributifs amont (4\u{a0}% HT de la valeur des pass)");
        assert_eq!(q.lines[0].label, "Carnet de 10 Pass Castors de 20\u{a0}€");
        assert_eq!((q.lines[0].unit_price, q.lines[0].category), (cents(20_000), VatCategory::OutOfScope));
    }

    /// Accompaniment 1 200 € and one booklet of 50 € passes (500 €):
    /// fees 20,00; fees and services 1 220,00; a fixed 2 000 € discount
    /// stops at 1 220,00: no VAT, and the passes are still 500,00 to pay.
    #[test]
    fn a_discount_never_reaches_the_face_value() {
        let cart = [booklets(50, 1), CartLine { product: Product::Accompaniment, quantity: 1 }];
        let q = quote(&PriceList::default(), &cart, Some(Discount::Fixed(Money::from_euros(2_000)))).unwrap();
        assert_eq!((q.fees_and_services, q.discount, q.vat), (cents(122_000), cents(122_000), Money::ZERO));
        assert_eq!((q.total_excl_vat, q.total_incl_vat), (cents(50_000), cents(50_000)));
    }

    #[test]
    fn passes_alone_pay_their_fees_and_the_fees_vat() {
        let q = quote(&PriceList::default(), &[booklets(10, 1)], None).unwrap();
        // 100 € of passes, 4 € of fees, 0,80 € of VAT.
        assert_eq!(
            (q.passes_value, q.fees_and_services, q.vat, q.total_incl_vat),
            (cents(10_000), cents(400), cents(80), cents(10_480))
        );
        // Services alone: no fees' line.
        let q = quote(&PriceList::default(), &[CartLine { product: Product::Delivery, quantity: 2 }], None).unwrap();
        assert_eq!((q.lines.len(), q.total_incl_vat), (1, cents(3_600)));
    }

    #[test]
    fn products_read_back_from_forms_and_rows() {
        for product in PriceList::default().catalogue() {
            assert_eq!(Product::from_key(&product.key()), Some(product));
            let (kind, face_value) = product.stored();
            assert_eq!(Product::from_stored(kind, face_value), Some(product));
        }
        assert_eq!(Product::from_key("carnet-2000"), Some(Product::Booklet { face_value: Money::from_euros(20) }));
        for bad in ["", "carnet-", "carnet-0", "carnet--5", "carnet-abc", "livraisons"] {
            assert_eq!(Product::from_key(bad), None, "{bad:?}");
        }
        assert_eq!(Product::from_stored("booklet", 0), None);
    }

    #[test]
    fn carts_that_cannot_be_priced_say_why() {
        let prices = PriceList::default();
        assert_eq!(quote(&prices, &[], None), Err(QuoteError::Empty));
        assert_eq!(
            quote(&prices, &[booklets(30, 1)], None).unwrap_err().to_string(),
            "« Carnet de 10 Pass Castors de 30\u{a0}€ » n'est plus proposé : retirez-le de votre panier."
        );
        assert_eq!(
            quote(&prices, &[booklets(10, 0)], None).unwrap_err().to_string(),
            "La quantité de « Carnet de 10 Pass Castors de 10\u{a0}€ » doit être comprise entre 1 et 1000."
        );
        assert!(matches!(quote(&prices, &[booklets(10, MAX_QUANTITY + 1)], None), Err(QuoteError::Quantity(_))));
    }

    fn any_line() -> impl Strategy<Value = CartLine> {
        let product = prop_oneof![
            prop::sample::select(vec![10i64, 20, 50])
                .prop_map(|e| Product::Booklet { face_value: Money::from_euros(e) }),
            Just(Product::Accompaniment),
            Just(Product::Delivery),
        ];
        (product, 1..=MAX_QUANTITY).prop_map(|(product, quantity)| CartLine { product, quantity })
    }

    fn any_discount() -> impl Strategy<Value = Option<Discount>> {
        prop_oneof![
            Just(None),
            (0u32..=10_000).prop_map(|p| Some(Discount::Percent(Rate::from_basis_points(p)))),
            (0i64..=5_000_000).prop_map(|c| Some(Discount::Fixed(Money::from_cents(c)))),
        ]
    }

    proptest! {
        #[test]
        fn totals_are_the_sum_of_the_lines_and_never_touch_the_face_value(
            cart in prop::collection::vec(any_line(), 1..6),
            discount in any_discount(),
        ) {
            let prices = PriceList::default();
            let q = quote(&prices, &cart, discount).unwrap();
            let undiscounted = quote(&prices, &cart, None).unwrap();
            let lines: i64 = q.lines.iter().map(|l| l.net.cents()).sum();
            prop_assert_eq!(q.total_excl_vat.cents(), lines - q.discount.cents());
            prop_assert_eq!(q.total_incl_vat.cents(), q.total_excl_vat.cents() + q.vat.cents());
            for l in &q.lines {
                prop_assert_eq!(l.net.cents(), l.unit_price.cents() * i64::from(l.quantity));
            }
            let face: i64 = cart.iter().filter_map(|l| match l.product {
                Product::Booklet { face_value } => Some(face_value.cents() * 10 * i64::from(l.quantity)),
                _ => None,
            }).sum();
            prop_assert_eq!(q.passes_value.cents(), face);
            prop_assert_eq!(q.passes_value, undiscounted.passes_value);
            prop_assert!(q.total_excl_vat >= q.passes_value, "the passes are paid in full");
            prop_assert!(Money::ZERO <= q.discount && q.discount <= q.fees_and_services);
            prop_assert!(q.vat >= Money::ZERO && q.vat <= undiscounted.vat);
            prop_assert_eq!(q.vat, prices.vat_rate.of(q.taxable()));
        }
    }
}
