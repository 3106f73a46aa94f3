//! Invoices to sponsors (seed 003): what an order is invoiced as, and the
//! numbers, instalments and mentions French invoices must carry.
//!
//! EN 16931 forbids mixing an item outside the scope of VAT (category `O`)
//! with taxed ones, and an `O` invoice may not name the seller's VAT
//! number: an order is invoiced twice, the passes' face value on one
//! invoice, the fees and services on another. The « accompagnement
//! technique » is paid 30 / 40 / 30 (at order, at the interim report, at
//! the final report): the services invoice at order carries its first
//! instalment, two later invoices the others.

use super::Day;
use super::money::Money;
use super::pricing::{Product, Quote, QuoteLine, Rate, VatCategory};
use serde::{Deserialize, Serialize};
use std::fmt;

/// An invoice's number: gapless per year, invoices and credit notes in one
/// series, `F2026-000042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct InvoiceNumber {
    pub year: i32,
    pub sequence: i64,
}

impl fmt::Display for InvoiceNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "F{}-{:06}", self.year, self.sequence)
    }
}

/// What an invoice bills: the passes, or fees and services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceKind {
    Passes,
    Services,
}

impl InvoiceKind {
    pub const fn code(self) -> &'static str {
        match self {
            InvoiceKind::Passes => "passes",
            InvoiceKind::Services => "services",
        }
    }

    pub fn from_code(code: &str) -> Option<InvoiceKind> {
        [InvoiceKind::Passes, InvoiceKind::Services].into_iter().find(|k| k.code() == code)
    }
}

/// An invoice (UNTDID 1001 code 380) or a credit note (381).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentType {
    Invoice,
    CreditNote,
}

impl DocumentType {
    pub const fn code(self) -> i64 {
        match self {
            DocumentType::Invoice => 380,
            DocumentType::CreditNote => 381,
        }
    }

    pub fn from_code(code: i64) -> Option<DocumentType> {
        match code {
            380 => Some(DocumentType::Invoice),
            381 => Some(DocumentType::CreditNote),
            _ => None,
        }
    }

    pub const fn label(self) -> &'static str {
        match self {
            DocumentType::Invoice => "Facture",
            DocumentType::CreditNote => "Avoir",
        }
    }
}

/// Where an invoice stands on Chorus Pro, as staff record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChorusState {
    ToDeposit,
    Deposited,
    Rejected,
    Mandated,
    Paid,
    /// Cancelled by a credit note.
    Cancelled,
}

impl ChorusState {
    pub const ALL: [ChorusState; 6] = [
        ChorusState::ToDeposit,
        ChorusState::Deposited,
        ChorusState::Rejected,
        ChorusState::Mandated,
        ChorusState::Paid,
        ChorusState::Cancelled,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            ChorusState::ToDeposit => "to_deposit",
            ChorusState::Deposited => "deposited",
            ChorusState::Rejected => "rejected",
            ChorusState::Mandated => "mandated",
            ChorusState::Paid => "paid",
            ChorusState::Cancelled => "cancelled",
        }
    }

    pub fn from_code(code: &str) -> Option<ChorusState> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Chorus Pro's words.
    pub const fn label(self) -> &'static str {
        match self {
            ChorusState::ToDeposit => "À déposer",
            ChorusState::Deposited => "Déposée",
            ChorusState::Rejected => "Rejetée",
            ChorusState::Mandated => "Mandatée",
            ChorusState::Paid => "Mise en paiement",
            ChorusState::Cancelled => "Annulée par avoir",
        }
    }

    /// The states staff may record next; a rejected invoice is corrected
    /// by a credit note and a new invoice, not by a state.
    pub fn next(self) -> &'static [ChorusState] {
        match self {
            ChorusState::ToDeposit => &[ChorusState::Deposited],
            ChorusState::Deposited => &[ChorusState::Rejected, ChorusState::Mandated],
            ChorusState::Mandated => &[ChorusState::Paid],
            ChorusState::Rejected | ChorusState::Paid | ChorusState::Cancelled => &[],
        }
    }
}

/// The « accompagnement technique »'s three instalments: 30 % at order,
/// 40 % at the interim report, the rest at the final report, so that they
/// add up to `price` exactly (the last takes the cents left by rounding).
pub fn instalments(price: Money) -> [Money; 3] {
    let first = Rate::percent(30).of(price);
    let second = Rate::percent(40).of(price);
    [first, second, Money::from_cents(price.cents() - first.cents() - second.cents())]
}

/// The three instalments' names on the invoices.
pub const INSTALMENT_LABELS: [&str; 3] = [
    "1er versement (30 %, à la commande)",
    "2e versement (40 %, au rapport intermédiaire)",
    "3e versement (30 %, au rapport final)",
];

/// One line of an invoice, excl. VAT.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceLine {
    pub label: String,
    pub quantity: u32,
    pub unit_price: Money,
    pub net: Money,
}

impl InvoiceLine {
    fn of(line: &QuoteLine) -> InvoiceLine {
        InvoiceLine { label: line.label.clone(), quantity: line.quantity, unit_price: line.unit_price, net: line.net }
    }

    fn single(label: String, net: Money) -> InvoiceLine {
        InvoiceLine { label, quantity: 1, unit_price: net, net }
    }
}

/// What one invoice of an order bills: its lines and the part of the
/// order's discount it takes off (a document-level allowance, EN 16931
/// BG-20).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Billed {
    pub kind: InvoiceKind,
    /// 0 for the passes, 1 to 3 for fees and services.
    pub instalment: u8,
    pub category: VatCategory,
    pub lines: Vec<InvoiceLine>,
    pub allowance: Money,
}

impl Billed {
    pub fn line_total(&self) -> Money {
        Money::from_cents(self.lines.iter().map(|l| l.net.cents()).sum())
    }
}

/// How an order is invoiced, all of it: the passes (if any), then the
/// fees and services in up to three instalments. The order's discount is
/// taken off the first services invoice, and what it cannot absorb off the
/// next ones, so that the invoices' bases add up to the order's.
pub fn plan(quote: &Quote) -> Vec<Billed> {
    let mut billed = Vec::new();
    let passes: Vec<_> =
        quote.lines.iter().filter(|l| l.category == VatCategory::OutOfScope).map(InvoiceLine::of).collect();
    if !passes.is_empty() {
        billed.push(Billed {
            kind: InvoiceKind::Passes,
            instalment: 0,
            category: VatCategory::OutOfScope,
            lines: passes,
            allowance: Money::ZERO,
        });
    }
    let mut parts: [Vec<InvoiceLine>; 3] = Default::default();
    for line in quote.lines.iter().filter(|l| l.category == VatCategory::Standard) {
        if line.product == Some(Product::Accompaniment) {
            for (part, (amount, label)) in
                parts.iter_mut().zip(instalments(line.net).into_iter().zip(INSTALMENT_LABELS))
            {
                part.push(InvoiceLine::single(format!("{} — {label}", line.label), amount));
            }
        } else {
            parts[0].push(InvoiceLine::of(line));
        }
    }
    let mut discount_left = quote.discount;
    for (i, lines) in parts.into_iter().enumerate() {
        if lines.is_empty() {
            continue;
        }
        let base = Money::from_cents(lines.iter().map(|l| l.net.cents()).sum());
        let allowance = discount_left.min(base);
        discount_left = Money::from_cents(discount_left.cents() - allowance.cents());
        billed.push(Billed {
            kind: InvoiceKind::Services,
            instalment: u8::try_from(i + 1).unwrap_or(3),
            category: VatCategory::Standard,
            lines,
            allowance,
        });
    }
    billed
}

/// Who sells or buys, as an invoice names them (EN 16931 BG-4 and BG-7).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: String,
    /// The establishment's SIRET: the party's identifier, scheme 0009.
    pub siret: Option<String>,
    /// The company's SIREN: its legal registration, scheme 0002.
    pub siren: Option<String>,
    pub vat_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
}

/// An invoice or credit note as issued: everything its PDF and its XML
/// say, kept as it was on the day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDocument {
    pub number: InvoiceNumber,
    pub document_type: DocumentType,
    /// The invoice a credit note cancels, and its day.
    pub corrects: Option<(InvoiceNumber, Day)>,
    pub order_number: String,
    pub issued_on: Day,
    pub due_on: Day,
    pub seller: Party,
    pub buyer: Party,
    /// Chorus Pro's service code (BT-10).
    pub service_code: Option<String>,
    /// The engagement number (BT-13).
    pub engagement: Option<String>,
    pub iban: String,
    /// A public buyer: late payment follows the public procurement code.
    pub public_buyer: bool,
    pub billed: Billed,
    pub vat_rate: Rate,
    pub totals: Totals,
}

/// An invoice's totals (EN 16931 BG-22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    pub lines: Money,
    pub allowances: Money,
    pub excl_vat: Money,
    pub vat: Money,
    pub incl_vat: Money,
}

impl Totals {
    /// VAT once on the category's base after the allowance; none outside
    /// its scope.
    pub fn of(billed: &Billed, vat_rate: Rate) -> Totals {
        let lines = billed.line_total();
        let excl_vat = Money::from_cents(lines.cents() - billed.allowance.cents());
        let vat = match billed.category {
            VatCategory::OutOfScope => Money::ZERO,
            VatCategory::Standard => vat_rate.of(excl_vat),
        };
        Totals {
            lines,
            allowances: billed.allowance,
            excl_vat,
            vat,
            incl_vat: Money::from_cents(excl_vat.cents() + vat.cents()),
        }
    }
}

/// Days to pay: the legal maximum for public buyers (code de la commande
/// publique, R. 2192-10), and the cooperative's terms for all.
pub const PAYMENT_DAYS: u64 = 30;

impl InvoiceDocument {
    /// The title on the PDF: « Facture n° F2026-000001 ».
    pub fn title(&self) -> String {
        format!("{} n° {}", self.document_type.label(), self.number)
    }

    /// What it bills, in a few words.
    pub fn subject(&self) -> String {
        match (self.billed.kind, self.billed.instalment) {
            (InvoiceKind::Passes, _) => "Valeur faciale des Pass Castors".to_owned(),
            (InvoiceKind::Services, 1) => "Frais et services (à la commande)".to_owned(),
            (InvoiceKind::Services, 2) => "Accompagnement technique (rapport intermédiaire)".to_owned(),
            (InvoiceKind::Services, _) => "Accompagnement technique (rapport final)".to_owned(),
        }
    }

    /// The mentions a French invoice must carry about paying late (code
    /// de commerce L. 441-10, or for a public buyer the code de la
    /// commande publique L. 2192-13 and R. 2192-31), and about VAT; each
    /// with its subject (UNTDID 4451: AAI general, AAB discount terms, PMD
    /// late-payment penalties), as the XML's notes carry them.
    pub fn mentions(&self) -> Vec<(&'static str, String)> {
        let mut m = vec![(
            "AAI",
            format!("Date d'échéance : {} ({PAYMENT_DAYS} jours à compter de la réception).", self.due_on),
        )];
        m.push(("AAB", "Pas d'escompte pour paiement anticipé.".into()));
        let late = if self.public_buyer {
            "En cas de retard de paiement : intérêts moratoires au taux de la BCE majoré de 8 points, \
             et indemnité forfaitaire pour frais de recouvrement de 40 € (art. L. 2192-13 du code de la \
             commande publique)."
        } else {
            "En cas de retard de paiement : pénalités au taux de la BCE majoré de 10 points, et indemnité \
             forfaitaire pour frais de recouvrement de 40 € (art. L. 441-10 du code de commerce)."
        };
        m.push(("PMD", late.into()));
        if self.billed.category == VatCategory::OutOfScope {
            m.push(("AAI", VAT_EXEMPTION_REASON.into()));
        }
        m
    }
}

/// Why the passes bear no VAT (EN 16931 BT-120).
pub const VAT_EXEMPTION_REASON: &str = "Valeur faciale des Pass Castors : titres de paiement, hors champ de la TVA (pas de livraison de bien \
     ni de prestation de service à leur émission).";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::pricing::{CartLine, PriceList, quote};
    use proptest::prelude::*;

    fn cents(c: i64) -> Money {
        Money::from_cents(c)
    }

    #[test]
    fn instalments_add_up_to_the_price_to_the_cent() {
        assert_eq!(instalments(cents(120_000)), [cents(36_000), cents(48_000), cents(36_000)]);
        // 30 % of 0,01 € rounds to 0; 40 % to 0: the last takes the cent.
        assert_eq!(instalments(cents(1)), [cents(0), cents(0), cents(1)]);
        assert_eq!(instalments(cents(3_333)), [cents(1_000), cents(1_333), cents(1_000)]);
    }

    proptest! {
        #[test]
        fn any_price_splits_exactly(price in 0i64..1_000_000_000) {
            let parts = instalments(cents(price));
            prop_assert_eq!(parts.iter().map(|p| p.cents()).sum::<i64>(), price);
            prop_assert!(parts.iter().all(|p| p.cents() >= 0));
        }

        /// Whatever the cart and the discount, the invoices bill the whole
        /// order: their bases add up to its total excl. VAT, passes apart.
        #[test]
        fn the_invoices_bill_the_order_exactly(
            booklets in 0u32..50, accompaniment in 0u32..3, delivery in 0u32..2, discount in 0i64..300_000,
        ) {
            let prices = PriceList::default();
            let mut cart = Vec::new();
            if booklets > 0 {
                cart.push(CartLine { product: Product::Booklet { face_value: cents(2_000) }, quantity: booklets });
            }
            if accompaniment > 0 {
                cart.push(CartLine { product: Product::Accompaniment, quantity: accompaniment });
            }
            if delivery > 0 {
                cart.push(CartLine { product: Product::Delivery, quantity: delivery });
            }
            prop_assume!(!cart.is_empty());
            let q = quote(&prices, &cart, Some(crate::domain::pricing::Discount::Fixed(cents(discount)))).unwrap();
            let plan = plan(&q);
            let excl: i64 = plan.iter().map(|b| Totals::of(b, q.vat_rate).excl_vat.cents()).sum();
            prop_assert_eq!(excl, q.total_excl_vat.cents());
            let passes: i64 = plan.iter().filter(|b| b.kind == InvoiceKind::Passes).map(|b| b.line_total().cents()).sum();
            prop_assert_eq!(passes, q.passes_value.cents());
            prop_assert!(plan.iter().all(|b| b.allowance <= b.line_total()));
            prop_assert!(plan.iter().filter(|b| b.kind == InvoiceKind::Passes).all(|b| b.allowance == Money::ZERO));
        }
    }

    #[test]
    fn an_order_with_passes_and_services_gets_two_invoices_at_order() {
        let prices = PriceList::default();
        let cart = [
            CartLine { product: Product::Booklet { face_value: cents(2_000) }, quantity: 10 },
            CartLine { product: Product::Accompaniment, quantity: 1 },
        ];
        let q = quote(&prices, &cart, None).unwrap();
        let plan = plan(&q);
        let at_order: Vec<_> = plan.iter().filter(|b| b.instalment <= 1).collect();
        assert_eq!(at_order.len(), 2);
        assert_eq!((at_order[0].kind, at_order[0].category), (InvoiceKind::Passes, VatCategory::OutOfScope));
        assert_eq!((at_order[1].kind, at_order[1].category), (InvoiceKind::Services, VatCategory::Standard));
        assert!(at_order[1].lines.iter().any(|l| l.label.contains("1er versement (30 %")));
        assert_eq!(plan.len(), 4, "the interim and final instalments follow");
    }

    #[test]
    fn codes_read_back() {
        for s in ChorusState::ALL {
            assert_eq!(ChorusState::from_code(s.code()), Some(s));
        }
        assert_eq!(InvoiceNumber { year: 2026, sequence: 7 }.to_string(), "F2026-000007");
        assert_eq!(DocumentType::from_code(381), Some(DocumentType::CreditNote));
        assert_eq!(InvoiceKind::from_code("services"), Some(InvoiceKind::Services));
    }
}
