//! A sponsor's invoice as UN/CEFACT Cross Industry Invoice D16B, EN 16931
//! profile (Factur-X's `urn:cen.eu:en16931:2017`), the XML Chorus Pro takes
//! in. Element names and their order are the schema's; each element is
//! noted with the EN 16931 business term it carries.
//!
//! `make test` checks every invoice the tests issue against the profile's
//! XSD and schematron rules (`scripts/check-invoices.py`).

use crate::domain::billing::{InvoiceDocument, Party, VAT_EXEMPTION_REASON};
use crate::domain::pricing::VatCategory;
use crate::domain::{Day, Money};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use std::io;

type W = Writer<Vec<u8>>;

/// Amounts with a point and two decimals: `1234.50`.
fn amount(m: Money) -> String {
    let c = m.cents();
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// `20.00` for 20 %.
fn percent(basis_points: u32) -> String {
    format!("{}.{:02}", basis_points / 100, basis_points % 100)
}

/// Days as format 102: `20261207`.
fn day(d: Day) -> String {
    d.date().format("%Y%m%d").to_string()
}

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn with_scheme(w: &mut W, name: &str, scheme: &str, value: &str) -> io::Result<()> {
    w.create_element(name).with_attribute(("schemeID", scheme)).write_text_content(BytesText::new(value))?;
    Ok(())
}

fn inner(w: &mut W, name: &str, body: impl FnOnce(&mut W) -> io::Result<()>) -> io::Result<()> {
    w.create_element(name).write_inner_content(body)?;
    Ok(())
}

fn date(w: &mut W, name: &str, d: Day) -> io::Result<()> {
    inner(w, name, |w| {
        w.create_element("udt:DateTimeString")
            .with_attribute(("format", "102"))
            .write_text_content(BytesText::new(&day(d)))?;
        Ok(())
    })
}

/// A party (BG-4 or BG-7): SIRET as its identifier (scheme 0009), SIREN
/// as its legal registration (scheme 0002), its address, its VAT number
/// when the invoice may carry one.
fn party(w: &mut W, name: &str, p: &Party, vat_number: Option<&str>) -> io::Result<()> {
    inner(w, name, |w| {
        if let Some(siret) = &p.siret {
            with_scheme(w, "ram:GlobalID", "0009", siret)?; // BT-29 / BT-46
        }
        text(w, "ram:Name", &p.name)?; // BT-27 / BT-44
        if let Some(siren) = &p.siren {
            inner(w, "ram:SpecifiedLegalOrganization", |w| with_scheme(w, "ram:ID", "0002", siren))?; // BT-30 / BT-47
        }
        inner(w, "ram:PostalTradeAddress", |w| {
            text(w, "ram:PostcodeCode", &p.postcode)?; // BT-38 / BT-53
            let mut lines = p.street.lines().map(str::trim).filter(|l| !l.is_empty());
            if let Some(first) = lines.next() {
                text(w, "ram:LineOne", first)?; // BT-35 / BT-50
            }
            let rest: Vec<_> = lines.collect();
            if !rest.is_empty() {
                text(w, "ram:LineTwo", &rest.join(", "))?;
            }
            text(w, "ram:CityName", &p.city)?; // BT-37 / BT-52
            text(w, "ram:CountryID", "FR") // BT-40 / BT-55
        })?;
        if let Some(vat) = vat_number {
            inner(w, "ram:SpecifiedTaxRegistration", |w| with_scheme(w, "ram:ID", "VA", vat))?; // BT-31
        }
        Ok(())
    })
}

/// The VAT of a line, an allowance or the breakdown: category, and the
/// rate but for `O`, which has none.
fn category(w: &mut W, doc: &InvoiceDocument) -> io::Result<()> {
    text(w, "ram:TypeCode", "VAT")?;
    text(w, "ram:CategoryCode", doc.billed.category.code())?;
    if doc.billed.category == VatCategory::Standard {
        text(w, "ram:RateApplicablePercent", &percent(doc.vat_rate.basis_points()))?;
    }
    Ok(())
}

fn write(w: &mut W, doc: &InvoiceDocument) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    w.create_element("rsm:CrossIndustryInvoice")
        .with_attribute(("xmlns:rsm", "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"))
        .with_attribute(("xmlns:qdt", "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"))
        .with_attribute((
            "xmlns:ram",
            "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
        ))
        .with_attribute(("xmlns:udt", "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"))
        .write_inner_content(|w| {
            inner(w, "rsm:ExchangedDocumentContext", |w| {
                inner(w, "ram:GuidelineSpecifiedDocumentContextParameter", |w| {
                    text(w, "ram:ID", "urn:cen.eu:en16931:2017") // BT-24
                })
            })?;
            inner(w, "rsm:ExchangedDocument", |w| {
                text(w, "ram:ID", &doc.number.to_string())?; // BT-1
                text(w, "ram:TypeCode", &doc.document_type.code().to_string())?; // BT-3
                date(w, "ram:IssueDateTime", doc.issued_on)?; // BT-2
                for (subject, note) in doc.mentions() {
                    inner(w, "ram:IncludedNote", |w| {
                        text(w, "ram:Content", &note)?; // BT-22
                        text(w, "ram:SubjectCode", subject) // BT-21
                    })?;
                }
                Ok(())
            })?;
            inner(w, "rsm:SupplyChainTradeTransaction", |w| transaction(w, doc))
        })?;
    Ok(())
}

fn transaction(w: &mut W, doc: &InvoiceDocument) -> io::Result<()> {
    for (i, line) in doc.billed.lines.iter().enumerate() {
        inner(w, "ram:IncludedSupplyChainTradeLineItem", |w| {
            inner(w, "ram:AssociatedDocumentLineDocument", |w| text(w, "ram:LineID", &(i + 1).to_string()))?; // BT-126
            inner(w, "ram:SpecifiedTradeProduct", |w| text(w, "ram:Name", &line.label))?; // BT-153
            inner(w, "ram:SpecifiedLineTradeAgreement", |w| {
                inner(w, "ram:NetPriceProductTradePrice", |w| text(w, "ram:ChargeAmount", &amount(line.unit_price))) // BT-146
            })?;
            inner(w, "ram:SpecifiedLineTradeDelivery", |w| {
                w.create_element("ram:BilledQuantity") // BT-129, BT-130 (C62: units)
                    .with_attribute(("unitCode", "C62"))
                    .write_text_content(BytesText::new(&line.quantity.to_string()))?;
                Ok(())
            })?;
            inner(w, "ram:SpecifiedLineTradeSettlement", |w| {
                inner(w, "ram:ApplicableTradeTax", |w| category(w, doc))?; // BT-151, BT-152
                inner(w, "ram:SpecifiedTradeSettlementLineMonetarySummation", |w| {
                    text(w, "ram:LineTotalAmount", &amount(line.net)) // BT-131
                })
            })
        })?;
    }
    inner(w, "ram:ApplicableHeaderTradeAgreement", |w| {
        if let Some(code) = &doc.service_code {
            text(w, "ram:BuyerReference", code)?; // BT-10
        }
        let seller_vat =
            (doc.billed.category == VatCategory::Standard).then_some(doc.seller.vat_number.as_deref()).flatten();
        party(w, "ram:SellerTradeParty", &doc.seller, seller_vat)?;
        party(w, "ram:BuyerTradeParty", &doc.buyer, None)?;
        if let Some(engagement) = &doc.engagement {
            inner(w, "ram:BuyerOrderReferencedDocument", |w| text(w, "ram:IssuerAssignedID", engagement))?; // BT-13
        }
        Ok(())
    })?;
    inner(w, "ram:ApplicableHeaderTradeDelivery", |_| Ok(()))?;
    inner(w, "ram:ApplicableHeaderTradeSettlement", |w| settlement(w, doc))
}

fn settlement(w: &mut W, doc: &InvoiceDocument) -> io::Result<()> {
    let t = doc.totals;
    text(w, "ram:PaymentReference", &doc.number.to_string())?; // BT-83
    text(w, "ram:InvoiceCurrencyCode", "EUR")?; // BT-5
    inner(w, "ram:SpecifiedTradeSettlementPaymentMeans", |w| {
        text(w, "ram:TypeCode", "58")?; // BT-81: SEPA credit transfer
        inner(w, "ram:PayeePartyCreditorFinancialAccount", |w| text(w, "ram:IBANID", &doc.iban)) // BT-84
    })?;
    inner(w, "ram:ApplicableTradeTax", |w| {
        text(w, "ram:CalculatedAmount", &amount(t.vat))?; // BT-117
        text(w, "ram:TypeCode", "VAT")?;
        if doc.billed.category == VatCategory::OutOfScope {
            text(w, "ram:ExemptionReason", VAT_EXEMPTION_REASON)?; // BT-120
        }
        text(w, "ram:BasisAmount", &amount(t.excl_vat))?; // BT-116
        text(w, "ram:CategoryCode", doc.billed.category.code())?; // BT-118
        if doc.billed.category == VatCategory::Standard {
            text(w, "ram:RateApplicablePercent", &percent(doc.vat_rate.basis_points()))?; // BT-119
        }
        Ok(())
    })?;
    if t.allowances > Money::ZERO {
        inner(w, "ram:SpecifiedTradeAllowanceCharge", |w| {
            inner(w, "ram:ChargeIndicator", |w| text(w, "udt:Indicator", "false"))?;
            text(w, "ram:ActualAmount", &amount(t.allowances))?; // BT-92
            text(w, "ram:Reason", "Remise")?; // BT-97
            inner(w, "ram:CategoryTradeTax", |w| category(w, doc)) // BT-95, BT-96
        })?;
    }
    inner(w, "ram:SpecifiedTradePaymentTerms", |w| {
        text(w, "ram:Description", &format!("Virement à réception, au plus tard le {}.", doc.due_on))?; // BT-20
        date(w, "ram:DueDateDateTime", doc.due_on) // BT-9
    })?;
    inner(w, "ram:SpecifiedTradeSettlementHeaderMonetarySummation", |w| {
        text(w, "ram:LineTotalAmount", &amount(t.lines))?; // BT-106
        if t.allowances > Money::ZERO {
            text(w, "ram:AllowanceTotalAmount", &amount(t.allowances))?; // BT-107
        }
        text(w, "ram:TaxBasisTotalAmount", &amount(t.excl_vat))?; // BT-109
        w.create_element("ram:TaxTotalAmount") // BT-110
            .with_attribute(("currencyID", "EUR"))
            .write_text_content(BytesText::new(&amount(t.vat)))?;
        text(w, "ram:GrandTotalAmount", &amount(t.incl_vat))?; // BT-112
        text(w, "ram:DuePayableAmount", &amount(t.incl_vat)) // BT-115
    })?;
    if let Some((number, issued)) = doc.corrects {
        inner(w, "ram:InvoiceReferencedDocument", |w| {
            text(w, "ram:IssuerAssignedID", &number.to_string())?; // BT-25
            inner(w, "ram:FormattedIssueDateTime", |w| {
                w.create_element("qdt:DateTimeString") // BT-26
                    .with_attribute(("format", "102"))
                    .write_text_content(BytesText::new(&day(issued)))?;
                Ok(())
            })
        })?;
    }
    Ok(())
}

/// The invoice as CII XML, UTF-8.
pub fn invoice_xml(doc: &InvoiceDocument) -> Vec<u8> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write(&mut w, doc).expect("writing XML to memory cannot fail");
    w.into_inner()
}
