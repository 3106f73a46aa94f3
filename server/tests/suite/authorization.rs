//! The authorization matrix: every server function and every page, asked by
//! every role about someone else's voucher. Each row says what each role
//! must get; any other answer, or a response carrying the owner's private
//! data to someone else, fails. A server function or page missing from the
//! table fails too: new routes must be added here.

use crate::common;

use common::{Browser, PAID_UP, TestApp, UNPAID};
use reqwest::StatusCode;
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    Anonymous,
    /// The member who owns the vouchers probed.
    Owner,
    OtherMember,
    Supplier,
    OtherAgencyStaff,
    AgencyStaff,
    Admin,
    /// `mairie`, manager of the Ville de Saint-Aubin-des-Castors' structures.
    Sponsor,
    /// `ccas`: another sponsor's manager.
    OtherSponsor,
}

use Role::*;

const ROLES: [Role; 9] =
    [Anonymous, OtherMember, Supplier, OtherAgencyStaff, AgencyStaff, Admin, Sponsor, OtherSponsor, Owner];

/// What a role must get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Status 200 (JSON) or a page that shows the data.
    Granted,
    /// JSON status for a refusal.
    Refused(u16),
    /// A page that sends the visitor to log in (303), and back to it after.
    ToLogin,
    /// A page that shows this refusal, with this status, and nothing of the
    /// owner's: 404 for what is missing or not the visitor's, 403 for
    /// another role's space.
    RefusedPage(u16, &'static str),
}

use Expect::*;

/// The owner's private data: none of it may reach anyone else.
struct Secrets {
    used_id: i64,
    issued_id: i64,
    cancel_id: i64,
    number: String,
    code: String,
    signature: String,
    supplier_id: String,
    /// The supplier space's objects about the owner's voucher.
    supplier: SupplierSecrets,
    /// The back office's money objects about the owner's vouchers.
    money: MoneySecrets,
    /// Sponsors' structures the sponsor rows act on.
    structures: StructureSecrets,
}

impl Secrets {
    /// The private strings a response must not carry to someone else.
    /// `number_is_public`: the check pages show the number on purpose.
    fn leaks(&self, body: &str, number_is_public: bool) -> Vec<String> {
        let mut found = Vec::new();
        for private in ["Camille Martin", PAID_UP] {
            if body.contains(private) {
                found.push(private.to_owned());
            }
        }
        if !number_is_public && body.contains(&self.number) {
            found.push(self.number.clone());
        }
        // As a JSON string or the text of an element.
        for code in [format!("\"{}\"", self.code), format!(">{}<", self.code)] {
            if body.contains(&code) {
                found.push(code);
            }
        }
        found
    }
}

fn by_role(owner: Expect, other_member: Expect, non_member: Expect, anonymous: Expect) -> [(Role, Expect); 9] {
    [
        (Anonymous, anonymous),
        (Owner, owner),
        (OtherMember, other_member),
        (Supplier, non_member),
        (OtherAgencyStaff, non_member),
        (AgencyStaff, non_member),
        (Admin, non_member),
        (Sponsor, non_member),
        (OtherSponsor, non_member),
    ]
}

fn everyone(expect: Expect) -> [(Role, Expect); 9] {
    by_role(expect, expect, expect, expect)
}

/// One server function call: name, fields, what each role gets, whether the
/// voucher number may appear (public check answers).
struct FnProbe {
    name: &'static str,
    fields: Fields,
    expect: [(Role, Expect); 9],
    number_is_public: bool,
    /// Roles besides the owner entitled to see the owner's data (agency
    /// staff in the back office, say): their answers are not checked for leaks.
    sees_owner: &'static [Role],
}

type Fields = fn(&Secrets, Role) -> Vec<(&'static str, String)>;

/// A call whose answer may not show the voucher number to others.
fn private(name: &'static str, fields: Fields, expect: [(Role, Expect); 9]) -> FnProbe {
    FnProbe { name, fields, expect, number_is_public: false, sees_owner: &[] }
}

/// A public check: anyone may see the voucher number, nothing else private.
fn public(name: &'static str, fields: Fields) -> FnProbe {
    FnProbe { name, fields, expect: everyone(Granted), number_is_public: true, sees_owner: &[] }
}

/// A member's function about one of the owner's vouchers.
fn member_only(name: &'static str, fields: Fields) -> FnProbe {
    private(name, fields, by_role(Granted, Refused(404), Refused(403), Refused(401)))
}

/// A member's function about the caller's own things.
fn members_own(name: &'static str, fields: Fields) -> FnProbe {
    private(name, fields, by_role(Granted, Granted, Refused(403), Refused(401)))
}

/// Every server function, by space. Each space's rows are in a function of
/// its own below.
fn fn_table() -> Vec<FnProbe> {
    let mut table = member_fns();
    table.extend(supplier_fns());
    table.extend(agency_fns());
    table.extend(money_fns());
    table.extend(sponsor_fns());
    table.extend(structure_fns());
    table.extend(shop_fns());
    // Late: it logs the anonymous visitor in, as the account it opens.
    table.push(open_sponsor_account());
    // Last: it ends each role's session.
    table.push(private("logout", |_, _| vec![], everyone(Granted)));
    table
}

/// The member's space, the public checks, logging in.
fn member_fns() -> Vec<FnProbe> {
    vec![
        // A login per role: failures are budgeted per login.
        private(
            "login",
            |_, role| vec![("number", format!("4499999{}Z", role as u8)), ("password", "devine".into())],
            everyone(Refused(401)),
        ),
        members_own("whoami", |_, _| vec![]),
        // Every role's own account: the wrong current password changes nothing.
        private("my_account", |_, _| vec![], by_role(Granted, Granted, Granted, Refused(401))),
        private("account_page", |_, _| vec![], by_role(Granted, Granted, Granted, Refused(401))),
        // Each role's browser is its account's only session: nothing else ends.
        private("end_other_sessions", |_, _| vec![], by_role(Granted, Granted, Granted, Refused(401))),
        private(
            "change_password",
            |_, _| {
                let new = "une longue phrase de castor".to_owned();
                vec![("current", "devine".into()), ("new", new.clone()), ("confirm", new)]
            },
            by_role(Refused(422), Refused(422), Refused(422), Refused(401)),
        ),
        // A new email address needs the current password; a forged link
        // confirms nothing.
        private(
            "change_email",
            |_, _| vec![("email", "nouvelle@exemple.fr".into()), ("current", "devine".into())],
            by_role(Refused(422), Refused(422), Refused(422), Refused(401)),
        ),
        private("check_email_link", |_, _| vec![("token", "ab".repeat(32))], everyone(Granted)),
        private("confirm_email", |_, _| vec![("token", "ab".repeat(32))], everyone(Refused(422))),
        // « Mot de passe oublié ? »: the same answer for everyone, whoever is
        // named; a forged link chooses nothing.
        private("forgot_password", |_, _| vec![("identifiant", PAID_UP.into())], everyone(Granted)),
        private("check_password_link", |_, _| vec![("token", "ab".repeat(32))], everyone(Granted)),
        private(
            "activate_account",
            |_, _| vec![("identifiant", PAID_UP.into()), ("code", "abcd-efgh-jkmn".into())],
            everyone(Refused(422)),
        ),
        private(
            "choose_password",
            |_, _| {
                let new = "une longue phrase de castor".to_owned();
                vec![("token", "ab".repeat(32)), ("new", new.clone()), ("confirm", new)]
            },
            everyone(Refused(422)),
        ),
        members_own("request_choices", |_, _| vec![]),
        // The other member is not paid up: refused for that reason, not for the owner's.
        private(
            "request_voucher",
            |s, _| vec![("supplier_id", s.supplier_id.clone()), ("amount", "10".into())],
            by_role(Granted, Refused(422), Refused(403), Refused(401)),
        ),
        members_own("my_vouchers", |_, _| vec![]),
        member_only("open_voucher", |s, _| vec![("id", s.used_id.to_string())]),
        member_only("use_voucher", |s, _| vec![("id", s.issued_id.to_string())]),
        member_only("validate_voucher", |s, _| vec![("id", s.used_id.to_string())]),
        member_only("cancel_voucher", |s, _| vec![("id", s.cancel_id.to_string()), ("confirm", "on".into())]),
        public("check_voucher", |s, _| vec![("number", s.number.clone()), ("signature", s.signature.clone())]),
        public("check_code", |s, _| vec![("number", s.number.clone()), ("code", s.code.clone())]),
        // A voucher's number is no pass: not genuine, for everyone alike.
        private(
            "check_pass",
            |s, _| vec![("number", s.number.clone()), ("signature", s.signature.clone())],
            everyone(Refused(422)),
        ),
        private(
            "unlock_pass",
            |_, _| vec![("number", "P2026.NA.442.09999999".into())],
            [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(404)),
                (AgencyStaff, Refused(404)),
                (Admin, Refused(404)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
        ),
        private(
            "unlock_voucher",
            |s, _| vec![("id", s.used_id.to_string())],
            [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(404)),
                (AgencyStaff, Granted),
                (Admin, Granted),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
        ),
    ]
}

/// What the supplier space's rows need: "Matériaux de l'Ouest" (the
/// `Supplier` role) invoiced the owner's voucher (the invoice is sent back
/// « à corriger », with a PDF), and has a till key.
struct SupplierSecrets {
    invoice_id: i64,
    api_key_id: i64,
    /// The proof a right code was typed, as the check's answer page carries it.
    code_proof: String,
}

async fn supplier_objects(app: &TestApp, number: &str, code: &str) -> SupplierSecrets {
    use app::server::services::invoices::{self, Submitter, pdf, submission};
    let user = app.supplier_user("ouest").await;
    let input =
        submission::typed_invoice("M-1".into(), "2026-01-02".into(), "42".into(), &format!("{number};{code};42"))
            .expect("invoice typed");
    let invoice_id = submission::submit_invoice(&app.state, &Submitter::user(&user), &input, chrono::Utc::now())
        .await
        .expect("invoice");
    let pdf = common::supplier::pdf("matrice");
    pdf::attach_pdf(&app.state, &user, invoice_id, "m-1.pdf", &pdf, chrono::Utc::now()).await.expect("pdf");
    sqlx::query("UPDATE invoices SET status = 'to_correct', correction_reason = 'Montant' WHERE id = $1")
        .bind(invoice_id)
        .execute(app.db.pool())
        .await
        .expect("send back");
    let api_key_id =
        app::server::services::accounts::api_keys::create_for_login(&app.state, "ouest", "Matrice", chrono::Utc::now())
            .await
            .expect("api key")
            .id;
    let _ = invoices::list_for_supplier(&app.state, user.supplier_id).await.expect("listed");
    SupplierSecrets { invoice_id, api_key_id, code_proof: app.state.keys.sign_code_checked(number) }
}

/// Only a partner supplier's staff; `sees_owner`: the answer shows the
/// owner's voucher, which the supplier it was used at is entitled to.
fn supplier_only(name: &'static str, fields: Fields, sees_owner: bool) -> FnProbe {
    FnProbe {
        name,
        fields,
        expect: [
            (Anonymous, Refused(401)),
            (Owner, Refused(403)),
            (OtherMember, Refused(403)),
            (Supplier, Granted),
            (OtherAgencyStaff, Refused(403)),
            (AgencyStaff, Refused(403)),
            (Admin, Refused(403)),
            (Sponsor, Refused(403)),
            (OtherSponsor, Refused(403)),
        ],
        number_is_public: false,
        sees_owner: if sees_owner { &[Supplier] } else { &[] },
    }
}

/// The supplier's space: counter check, delivered vouchers, invoices, API keys.
fn supplier_fns() -> Vec<FnProbe> {
    vec![
        supplier_only("supplier_home", |_, _| vec![], false),
        // Anyone may ask whether they are a supplier (the QR page does).
        private("supplier_session", |_, _| vec![], everyone(Granted)),
        supplier_only("supplier_check", |s, _| vec![("number", s.number.clone()), ("code", s.code.clone())], true),
        // No pass has this number: the one refusal, for the supplier alone.
        private(
            "supplier_spend_pass",
            |_, _| vec![("number", "P2026.NA.442.09999999".into()), ("code", "123456".into())],
            [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(422)),
                (OtherAgencyStaff, Refused(403)),
                (AgencyStaff, Refused(403)),
                (Admin, Refused(403)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
        ),
        supplier_only(
            "supplier_spent_pass",
            |s, _| vec![("number", s.number.clone()), ("proof", s.supplier.code_proof.clone())],
            false,
        ),
        supplier_only(
            "supplier_checked",
            |s, _| vec![("number", s.number.clone()), ("proof", s.supplier.code_proof.clone())],
            true,
        ),
        supplier_only(
            "supplier_vouchers",
            |_, _| vec![("du", String::new()), ("au", String::new()), ("statut", String::new())],
            true,
        ),
        supplier_only("supplier_invoices", |_, _| vec![], false),
        supplier_only("supplier_invoice", |s, _| vec![("id", s.supplier.invoice_id.to_string())], true),
        supplier_only(
            "supplier_submit_invoice",
            |_, role| {
                vec![
                    ("number", format!("M-{}", role as u8 + 10)),
                    ("date", "2026-01-02".into()),
                    ("amount", "5".into()),
                    ("lines", "W2026.NA.442.09999999 ; 1234 ; 5".into()),
                ]
            },
            false,
        ),
        supplier_only(
            "supplier_correct_invoice",
            |s, _| {
                vec![
                    ("id", s.supplier.invoice_id.to_string()),
                    ("number", "M-1".into()),
                    ("date", "2026-01-02".into()),
                    ("amount", "42".into()),
                    ("lines", format!("{} ; {} ; 42", s.number, s.code)),
                ]
            },
            false,
        ),
        // The invoice corrected just above is received again: no longer
        // withdrawn by its supplier, and nobody else's to withdraw.
        FnProbe {
            expect: [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(409)),
                (OtherAgencyStaff, Refused(403)),
                (AgencyStaff, Refused(403)),
                (Admin, Refused(403)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
            ..supplier_only(
                "supplier_withdraw_invoice",
                |s, _| vec![("id", s.supplier.invoice_id.to_string()), ("confirm", "on".into())],
                false,
            )
        },
        supplier_only("supplier_api_keys", |_, _| vec![], false),
        supplier_only("supplier_create_api_key", |_, role| vec![("label", format!("Caisse {}", role as u8))], false),
        supplier_only("supplier_revoke_api_key", |s, _| vec![("id", s.supplier.api_key_id.to_string())], false),
    ]
}

/// The agency back office: members, suppliers, settings, vouchers, dashboard.
/// Staff of Nantes and the administrator see the owner (a Nantes member);
/// staff of Rennes get their own, empty, lists and "not found" for anything
/// of Nantes. Granted changes leave the owner as they were (same values,
/// reactivating an active member…), or touch things made for the probe.
fn agency_fns() -> Vec<FnProbe> {
    use agency::*;
    vec![
        staff_fn("agency_dashboard", |_, _| vec![], Granted),
        staff_fn("agency_desk", |_, _| vec![], Granted),
        staff_fn("agency_members", |_, _| vec![("q", String::new())], Granted),
        staff_fn(
            "create_member",
            |_, role| {
                let mut fields = vec![
                    ("number", format!("449900{:02}M", role as u8)),
                    ("name", format!("Membre matrice {}", role as u8)),
                    ("email", String::new()),
                    ("fee_paid_until", String::new()),
                ];
                fields.extend(for_admin(role));
                fields
            },
            Granted,
        ),
        staff_fn("agency_member", |_, _| vec![("number", PAID_UP.into())], Refused(404)),
        staff_fn(
            "update_member",
            |_, _| {
                vec![
                    ("number", PAID_UP.into()),
                    ("name", "Camille Martin".into()),
                    ("email", String::new()),
                    ("fee_paid_until", demo_fee_paid_until()),
                ]
            },
            Refused(404),
        ),
        staff_fn("set_member_active", |_, _| vec![("number", PAID_UP.into()), ("active", "1".into())], Refused(404)),
        // Of a member made above, who has no email address: nothing to send
        // (409) for the agency's staff, unknown to another agency's.
        FnProbe {
            expect: [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(404)),
                (AgencyStaff, Refused(409)),
                (Admin, Refused(409)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
            ..staff_fn(
                "send_invitation",
                |_, _| vec![("login", format!("449900{:02}M", AgencyStaff as u8)), ("retour", "/agence".into())],
                Refused(404),
            )
        },
        staff_fn("member_imports", |_, _| vec![], Granted),
        staff_fn("agency_suppliers", |_, _| vec![], Granted),
        staff_fn(
            "create_supplier",
            |_, role| {
                let mut fields = supplier_fields(
                    &format!("Fournisseur matrice {}", role as u8),
                    &common::agency::siret(&format!("7320000000{:03}", role as u8)),
                );
                fields.extend(for_admin(role));
                fields
            },
            Granted,
        ),
        staff_fn("agency_supplier", |s, _| vec![("id", s.supplier_id.clone())], Refused(404)),
        staff_fn(
            "update_supplier",
            |s, _| {
                let mut fields = supplier_fields("Matériaux de l'Ouest", "44290812300015");
                fields.push(("id", s.supplier_id.clone()));
                fields
            },
            Refused(404),
        ),
        staff_fn(
            "set_supplier_active",
            |s, _| vec![("id", s.supplier_id.clone()), ("active", "1".into())],
            Refused(404),
        ),
        staff_fn(
            "create_supplier_login",
            |s, role| vec![("id", s.supplier_id.clone()), ("login", format!("caisse.matrice{}", role as u8))],
            Refused(404),
        ),
        staff_fn(
            "set_supplier_login_active",
            |_, _| vec![("login", "ouest".into()), ("active", "1".into())],
            Refused(404),
        ),
        staff_fn("agency_settings", |_, _| vec![], Granted),
        staff_fn(
            "save_agency_settings",
            |_, _| {
                let mut fields = nantes_settings();
                fields.push(("agency", "NA".into()));
                fields
            },
            Refused(404),
        ),
        admin_only("create_agency", |_, role| {
            let mut fields = nantes_settings();
            fields[0] = ("code", format!("Z{}", role as u8));
            fields.push(("name", format!("Agence matrice {}", role as u8)));
            fields
        }),
        staff_fn("agency_team", |_, _| vec![], Granted),
        admin_only("create_staff_account", |_, role| {
            vec![
                ("login", format!("equipe.matrice{}", role as u8)),
                ("email", format!("equipe{}@exemple.fr", role as u8)),
                ("role", "agence".into()),
                ("agency", "NA".into()),
            ]
        }),
        // The administrator closes the account it opened just before.
        admin_only("set_staff_account_active", |_, role| {
            vec![("login", format!("equipe.matrice{}", role as u8)), ("active", "0".into())]
        }),
        staff_fn("agency_discount_codes", |_, _| vec![("agency", "NA".into())], Refused(404)),
        staff_fn(
            "create_discount_code",
            |_, role| {
                vec![
                    ("agency", "NA".into()),
                    ("code", format!("ROLE{}", role as u8)),
                    ("discount", "5 €".into()),
                    ("valid_from", "2026-01-01".into()),
                    ("valid_until", "2026-12-31".into()),
                    ("max_uses", "3".into()),
                ]
            },
            Refused(404),
        ),
        staff_fn(
            "deactivate_discount_code",
            |s, r| vec![("id", MoneySecrets::pick(&s.money.discount_codes, r))],
            Refused(404),
        ),
        staff_fn("agency_vouchers", |_, _| vec![("q", String::new())], Granted),
        staff_fn("agency_voucher", |s, _| vec![("id", s.used_id.to_string())], Refused(404)),
        // The member cancelled this one: staff get to the voucher, and are
        // told its use cannot be undone; no one else gets that far.
        FnProbe {
            name: "undo_voucher_use",
            fields: |s, _| vec![("id", s.cancel_id.to_string()), ("reason", "erreur de comptoir".into())],
            expect: [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(404)),
                (AgencyStaff, Refused(409)),
                (Admin, Refused(409)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
            number_is_public: false,
            sees_owner: STAFF_SEE_OWNER,
        },
    ]
}

/// The agency back office's rows: the probe constructors and field sets.
mod agency {
    use super::*;

    pub const STAFF_SEE_OWNER: &[Role] = &[AgencyStaff, Admin];
    pub const STAFF_ONLY: &str = "Cet espace est réservé au personnel des agences Castors.";

    /// A back-office function: staff and the administrator are granted it;
    /// `other_agency` is what staff of Rennes get.
    pub fn staff_fn(name: &'static str, fields: Fields, other_agency: Expect) -> FnProbe {
        FnProbe {
            name,
            fields,
            expect: [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, other_agency),
                (AgencyStaff, Granted),
                (Admin, Granted),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
            number_is_public: false,
            sees_owner: STAFF_SEE_OWNER,
        }
    }

    /// A function of administrators only.
    pub fn admin_only(name: &'static str, fields: Fields) -> FnProbe {
        FnProbe {
            name,
            fields,
            expect: [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(403)),
                (AgencyStaff, Refused(403)),
                (Admin, Granted),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
            number_is_public: false,
            sees_owner: &[],
        }
    }

    /// A back-office page, the same way.
    pub fn staff_page(route: &'static str, path: fn(&Secrets) -> String, other_agency: Expect) -> PageProbe {
        PageProbe {
            route,
            path,
            expect: [
                (Anonymous, ToLogin),
                (Owner, RefusedPage(403, STAFF_ONLY)),
                (OtherMember, RefusedPage(403, STAFF_ONLY)),
                (Supplier, RefusedPage(403, STAFF_ONLY)),
                (OtherAgencyStaff, other_agency),
                (AgencyStaff, Granted),
                (Admin, Granted),
                (Sponsor, RefusedPage(403, STAFF_ONLY)),
                (OtherSponsor, RefusedPage(403, STAFF_ONLY)),
            ],
            number_is_public: false,
            sees_owner: STAFF_SEE_OWNER,
        }
    }

    /// An administrator names the agency of what they create.
    pub fn for_admin(role: Role) -> Vec<(&'static str, String)> {
        if role == Admin { vec![("agency", "NA".into())] } else { vec![] }
    }

    /// The demo member's fee: paid up until the end of next year.
    pub fn demo_fee_paid_until() -> String {
        format!("{}-12-31", app::server::clock::paris_year(chrono::Utc::now()) + 1)
    }

    /// The demo agency's settings, unchanged.
    pub fn nantes_settings() -> Vec<(&'static str, String)> {
        vec![
            ("code", "NA".into()),
            ("centre_code", "442".into()),
            ("validity_days", "30".into()),
            ("max_voucher", "3000".into()),
            ("code_length", "4".into()),
        ]
    }

    /// A supplier's form, with the demo's details for "Matériaux de l'Ouest".
    pub fn supplier_fields(name: &str, siret: &str) -> Vec<(&'static str, String)> {
        vec![
            ("name", name.into()),
            ("siret", siret.into()),
            ("contact_name", "Sophie Leroux".into()),
            ("email", "compta@materiaux-ouest.invalid".into()),
            ("phone", String::new()),
            ("address", String::new()),
            ("iban", "FR7630004000031234567890143".into()),
            ("bic", String::new()),
        ]
    }
}

/// What the money rows need, made before the probes through the services:
/// each mutating call gets an object of its own per role (staff of Nantes,
/// the administrator), so both are granted and neither sees the other's
/// change. All are about the owner's vouchers at "Matériaux de l'Ouest".
struct MoneySecrets {
    /// Received invoices with one line flagged for a wrong code.
    flagged: [i64; 2],
    /// Received invoices with one matching line.
    to_send_back: [i64; 2],
    /// Unpaid payment batches.
    batches: [i64; 2],
    /// The owner's statement.
    statement_id: i64,
    run_id: i64,
    /// "2026-11": the month of the probes' run, and an earlier month in
    /// which the owner used a voucher too.
    this_month: String,
    past_month: String,
    /// "Bois & Charpente 44"'s id.
    other_supplier: String,
    /// Active discount codes of the owner's agency.
    discount_codes: [i64; 2],
}

impl MoneySecrets {
    /// The administrator works on the second object, everyone else on the first.
    fn pick(objects: &[i64; 2], role: Role) -> String {
        objects[usize::from(role == Admin)].to_string()
    }
}

async fn money_objects(app: &TestApp, supplier_id: &str) -> MoneySecrets {
    use app::server::auth::{Staff, member_by_number};
    use app::server::services::invoices::{Submitter, review, submission};
    use app::server::services::{payments, statements, vouchers};
    use app::server::{audit::Actor, clock, store::members};
    let state = &app.state;
    let now = chrono::Utc::now();
    let owner = member_by_number(state, PAID_UP).await.expect("owner").expect("owner");
    let ouest = app.supplier_user("ouest").await;
    let staff_id: i64 = sqlx::query_scalar("SELECT id FROM accounts WHERE login = 'agence.nantes'")
        .fetch_one(app.db.pool())
        .await
        .expect("staff");
    let staff = Staff {
        account_id: staff_id,
        login: "agence.nantes".into(),
        role: app::domain::Role::Agency,
        agency_id: Some(ouest.agency_id),
    };
    let used = |at: chrono::DateTime<chrono::Utc>| {
        let (owner, supplier_id) = (owner.clone(), supplier_id.to_owned());
        async move {
            let id = vouchers::request_voucher(state, &owner, &supplier_id, "20", at - chrono::Duration::hours(1))
                .await
                .expect("request");
            let receipt = vouchers::use_voucher(state, &owner, id, at).await.expect("use").receipt.expect("receipt");
            (receipt.number, receipt.code)
        }
    };
    let mut n = 0;
    let mut invoice = |line: String| {
        n += 1;
        let input =
            submission::typed_invoice(format!("MX-{n}"), "2026-01-02".into(), "20".into(), &line).expect("typed");
        let ouest = ouest.clone();
        async move { submission::submit_invoice(state, &Submitter::user(&ouest), &input, now).await.expect("invoice") }
    };
    let mut flagged = [0; 2];
    let mut to_send_back = [0; 2];
    let mut batches = [0; 2];
    for i in 0..2 {
        let (number, code) = used(now).await;
        let wrong: String = code.chars().map(|c| if c == '1' { '2' } else { '1' }).collect();
        flagged[i] = invoice(format!("{number};{wrong};20")).await;
        let (number, code) = used(now).await;
        to_send_back[i] = invoice(format!("{number};{code};20")).await;
        let (number, code) = used(now).await;
        let paid = invoice(format!("{number};{code};20")).await;
        review::accept(state, &staff, paid, now).await.expect("accept");
        batches[i] = payments::create(state, &staff, None, None, now).await.expect("batch");
    }
    // The administrator batches the other supplier's accepted invoice (staff
    // of Nantes batch "Matériaux de l'Ouest"'s, accepted by the probes).
    app.other_supplier().await;
    let bois = app.supplier_user(common::supplier::OTHER_SUPPLIER_LOGIN).await;
    let (number, code) = {
        let id =
            vouchers::request_voucher(state, &owner, &bois.supplier_id.to_string(), "20", now).await.expect("request");
        let receipt = vouchers::use_voucher(state, &owner, id, now).await.expect("use").receipt.expect("receipt");
        (receipt.number, receipt.code)
    };
    let input =
        submission::typed_invoice("BC-1".into(), "2026-01-02".into(), "20".into(), &format!("{number};{code};20"))
            .expect("typed");
    let bois_invoice = submission::submit_invoice(state, &Submitter::user(&bois), &input, now).await.expect("invoice");
    review::accept(state, &staff, bois_invoice, now).await.expect("accept");
    // A voucher used about six weeks ago: a month of its own for a run.
    let past = now - chrono::Duration::days(45);
    used(past).await;
    let month = |at| clock::paris_date(at).format("%Y-%m").to_string();
    let file = members::find_by_id(app.db.pool(), owner.id).await.expect("member").expect("member");
    let today = clock::paris_date(now);
    let (statement_id, _) =
        statements::issue(state, &Actor::staff(&staff), &file, today, today, false, now).await.expect("statement");
    let run = statements::start_run(state, &staff, None, &month(now), now).await.expect("run");
    // The run works in the background: the probes start once it is done.
    for _ in 0..200 {
        if statements::run(state, &staff, &run.id.to_string()).await.expect("run").finished {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let mut discount_codes = [0; 2];
    for (i, id) in discount_codes.iter_mut().enumerate() {
        let input = app::server::services::discounts::CodeInput {
            code: format!("MATRICE{i}"),
            discount: "10 %".into(),
            valid_from: "2026-01-01".into(),
            valid_until: "2099-12-31".into(),
            max_uses: "5".into(),
            sponsor_id: None,
        };
        *id = app::server::services::discounts::create(state, &staff, None, &input, now).await.expect("code");
    }
    MoneySecrets {
        discount_codes,
        flagged,
        to_send_back,
        batches,
        statement_id,
        run_id: run.id,
        this_month: month(now),
        past_month: month(past),
        other_supplier: bois.supplier_id.to_string(),
    }
}

/// The agency back office: reconciliation, payments, statements. Staff of
/// Rennes get "not found" for anything of Nantes, and their own agency's
/// (empty) lists.
fn money_fns() -> Vec<FnProbe> {
    use agency::*;
    vec![
        staff_fn("agency_invoices", |_, _| vec![("statut", String::new())], Granted),
        staff_fn("agency_invoice", |s, r| vec![("id", MoneySecrets::pick(&s.money.flagged, r))], Refused(404)),
        staff_fn(
            "override_invoice_line",
            |s, r| {
                vec![
                    ("id", MoneySecrets::pick(&s.money.flagged, r)),
                    ("line", "1".into()),
                    ("reason", "Code recopié avec une inversion de chiffres".into()),
                ]
            },
            Refused(404),
        ),
        staff_fn("accept_invoice", |s, r| vec![("id", MoneySecrets::pick(&s.money.flagged, r))], Refused(404)),
        staff_fn(
            "send_back_invoice",
            |s, r| vec![("id", MoneySecrets::pick(&s.money.to_send_back, r)), ("reason", "Montant TTC".into())],
            Refused(404),
        ),
        staff_fn("payment_batches", |_, _| vec![], Granted),
        // Rennes has no accepted invoice to pay: nothing to batch.
        staff_fn(
            "create_payment_batch",
            |s, r| {
                let mut fields =
                    vec![("supplier", if r == Admin { s.money.other_supplier.clone() } else { s.supplier_id.clone() })];
                fields.extend(for_admin(r));
                fields
            },
            Refused(409),
        ),
        staff_fn("payment_batch", |s, r| vec![("id", MoneySecrets::pick(&s.money.batches, r))], Refused(404)),
        staff_fn(
            "mark_batch_paid",
            |s, r| {
                vec![
                    ("id", MoneySecrets::pick(&s.money.batches, r)),
                    ("paid_on", app::server::clock::iso_day(app::server::clock::paris_date(chrono::Utc::now()))),
                    ("reference", "VIR-MATRICE".into()),
                ]
            },
            Refused(404),
        ),
        staff_fn("agency_statements", |_, _| vec![], Granted),
        staff_fn(
            "issue_statement",
            |s, _| {
                vec![
                    ("member", PAID_UP.into()),
                    ("from", format!("{}-01", s.money.this_month)),
                    ("to", app::server::clock::iso_day(app::server::clock::paris_date(chrono::Utc::now()))),
                ]
            },
            Refused(404),
        ),
        // Staff of Nantes ask for this month again: the setup's run made its
        // statements already (kept, never made twice: 409); the
        // administrator runs an earlier month (for Nantes); Rennes has
        // nobody to send a statement to.
        {
            let probe = staff_fn(
                "start_statement_run",
                |s, r| {
                    let month = if r == Admin { s.money.past_month.clone() } else { s.money.this_month.clone() };
                    let mut fields = vec![("month", month)];
                    fields.extend(for_admin(r));
                    fields
                },
                Refused(409),
            );
            FnProbe {
                expect: probe
                    .expect
                    .map(|(role, e)| if role == AgencyStaff { (role, Refused(409)) } else { (role, e) }),
                ..probe
            }
        },
        staff_fn("statement_run", |s, _| vec![("id", s.money.run_id.to_string())], Refused(404)),
        members_own("my_statements", |_, _| vec![]),
    ]
}

/// What the sponsor rows need: three public structures of `mairie`, whose
/// SIRETs the register says closed, each with `ccas` asking to manage it.
/// `mairie`, staff of Nantes and the administrator each deactivate one and
/// refuse `ccas`'s request on it; anyone else is refused the first one.
struct StructureSecrets {
    closed: [(i64, String); 3],
    /// The Services techniques' id (open in the register, managed by `mairie`).
    techniques: i64,
    /// The Direction des finances' id (managed by `mairie`, requires nothing of Chorus Pro).
    finances: i64,
    /// An order of `mairie` for the Direction des finances, awaiting its purchase order.
    order: i64,
    /// Two confirmed orders not yet invoiced: staff of Nantes invoice the
    /// first, the administrator the second.
    confirmed: [i64; 2],
    /// An invoiced order and its two invoices, to download and to follow on
    /// Chorus Pro (staff of Nantes the first, the administrator the second).
    invoiced: (i64, [i64; 2]),
    /// Two invoices rejected by Chorus Pro, to correct (the same way).
    rejected: [i64; 2],
    /// The two invoiced orders, whose passes staff of Nantes and the
    /// administrator produce, record the mandate of, and activate.
    invoiced_orders: [i64; 2],
}

impl StructureSecrets {
    /// The administrator works on the second object, everyone else on the first.
    fn of(objects: &[i64; 2], role: Role) -> String {
        objects[usize::from(role == Admin)].to_string()
    }
}

impl StructureSecrets {
    fn pick(&self, role: Role) -> &(i64, String) {
        match role {
            AgencyStaff => &self.closed[1],
            Admin => &self.closed[2],
            _ => &self.closed[0],
        }
    }
}

async fn structure_objects(app: &TestApp) -> StructureSecrets {
    use app::server::services::structures::{activation, register};
    let pool = app.db.pool();
    let account = |login: &'static str| async move {
        let (id, agency): (i64, Option<i64>) = sqlx::query_as("SELECT id, agency_id FROM accounts WHERE login = $1")
            .bind(login)
            .fetch_one(pool)
            .await
            .expect("account");
        (id, agency)
    };
    let (staff_id, agency) = account("agence.nantes").await;
    let staff = app::server::auth::Staff {
        account_id: staff_id,
        login: "agence.nantes".into(),
        role: app::domain::Role::Agency,
        agency_id: agency,
    };
    let sponsor = |login: &'static str| async move {
        let (account_id, agency) = account(login).await;
        app::server::auth::Sponsor { account_id, login: login.into(), agency_id: agency.expect("agency") }
    };
    let (mairie, ccas) = (sponsor("mairie").await, sponsor("ccas").await);
    let now = chrono::Utc::now();
    let mut closed = Vec::new();
    for i in 0..3 {
        let siret = common::agency::siret(&format!("21449001390{i:02}"));
        register::record_state(&app.state, &staff, &siret, "A", &format!("Annexe matrice {i}"), now).await.expect("A");
        let done = activation::activate(&app.state, &mairie, &siret, now).await.expect("activated");
        activation::activate(&app.state, &ccas, &siret, now).await.expect("asked");
        register::record_state(&app.state, &staff, &siret, "F", "", now).await.expect("F");
        closed.push((done.structure_id, siret));
    }
    let techniques: i64 = sqlx::query_scalar("SELECT id FROM structures WHERE siret = '21449001300015'")
        .fetch_one(pool)
        .await
        .expect("Services techniques");
    let finances: i64 = sqlx::query_scalar("SELECT id FROM structures WHERE siret = '21449001300023'")
        .fetch_one(pool)
        .await
        .expect("Direction des finances");
    let order = shop_order(app, &mairie, finances).await;
    let mut confirmed = Vec::new();
    for _ in 0..4 {
        let id = shop_order(app, &mairie, finances).await;
        sqlx::query(
            "UPDATE orders SET status = 'confirmed', confirmed_at = created_at, po_given_at = created_at,
                po_given_by = 'matrice' WHERE id = $1",
        )
        .bind(id)
        .execute(pool)
        .await
        .expect("confirmed");
        confirmed.push(id);
    }
    let mut invoiced = Vec::new();
    for &id in &confirmed[2..] {
        use app::server::services::shop::invoices;
        invoices::issue(&app.state, &staff, &id.to_string(), now).await.expect("invoiced");
        let ids: Vec<i64> = sqlx::query_scalar("SELECT id FROM sponsor_invoices WHERE order_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(pool)
            .await
            .expect("invoices");
        invoiced.push((id, [ids[0], ids[1]]));
        common::shop::proof_validated(app, &staff, "mairie", &id.to_string()).await;
    }
    let rejected = invoiced[1].1;
    for id in rejected {
        sqlx::query("UPDATE sponsor_invoices SET chorus_state = 'rejected', chorus_note = 'matrice' WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .expect("rejected");
    }
    StructureSecrets {
        closed: closed.try_into().expect("three"),
        techniques,
        finances,
        order,
        confirmed: [confirmed[0], confirmed[1]],
        invoiced: invoiced[0],
        rejected,
        invoiced_orders: [invoiced[0].0, invoiced[1].0],
    }
}

/// `mairie`'s order of one booklet for `structure`, by Chorus Pro.
async fn shop_order(app: &TestApp, mairie: &app::server::auth::Sponsor, structure: i64) -> i64 {
    use app::domain::pricing::Product;
    use app::server::services::shop::{cart::Shopper, checkout};
    let now = chrono::Utc::now();
    let token = hex::encode(rand::random::<[u8; 32]>());
    let mut conn = app.db.pool().acquire().await.expect("connection");
    let stamp = app::domain::Timestamp::new(now);
    let hash = app::server::codes::sha256_hex(token.as_bytes());
    let cart =
        app::server::store::shop::insert_cart(&mut conn, &hash, Some(mairie.account_id), stamp).await.expect("cart");
    let booklet = Product::Booklet { face_value: app::domain::Money::from_euros(10) };
    app::server::store::shop::set_line(&mut conn, cart, booklet, 1, stamp).await.expect("line");
    let shopper = Shopper { token: Some(token), account_id: Some(mairie.account_id) };
    checkout::place(&app.state, mairie, &shopper, &order_form(structure), now).await.expect("order")
}

fn order_form(structure: i64) -> app::server::services::shop::checkout::OrderForm {
    let address = app::model::shop::PostalAddress {
        name: "Ville".into(),
        street: "1 place de la Mairie".into(),
        postcode: "44999".into(),
        city: "Saint-Aubin-des-Castors".into(),
    };
    app::server::services::shop::checkout::OrderForm {
        structure: structure.to_string(),
        payment: "chorus".into(),
        code: String::new(),
        billing: address.clone(),
        delivery: address,
        points: String::new(),
    }
}

/// A sponsor's function: both sponsors' managers get `sponsor` and
/// `other`, anyone else is told the space is the sponsors'.
fn sponsor_fn(name: &'static str, fields: Fields, sponsor: Expect, other: Expect) -> FnProbe {
    structure_fn(name, fields, [sponsor, other], Refused(403), Refused(403))
}

/// A function acting on one structure: its manager (`mairie`) and staff
/// of its agency may; `expect` is (Sponsor, OtherSponsor).
/// A step only staff take on a structure's order, which its sponsors can
/// read (they are told it is staff's, others that it does not exist).
fn staff_as_caller_fn(name: &'static str, fields: Fields, nantes: Expect) -> FnProbe {
    structure_fn(name, fields, [Refused(403), Refused(404)], Refused(404), nantes)
}

fn structure_fn(name: &'static str, fields: Fields, sponsors: [Expect; 2], rennes: Expect, nantes: Expect) -> FnProbe {
    FnProbe {
        name,
        fields,
        expect: [
            (Anonymous, Refused(401)),
            (Owner, Refused(403)),
            (OtherMember, Refused(403)),
            (Supplier, Refused(403)),
            (OtherAgencyStaff, rennes),
            (AgencyStaff, nantes),
            (Admin, nantes),
            (Sponsor, sponsors[0]),
            (OtherSponsor, sponsors[1]),
        ],
        number_is_public: false,
        sees_owner: &[],
    }
}

/// The sponsor's space: structures, activation, deactivation, managers.
fn sponsor_fns() -> Vec<FnProbe> {
    vec![
        sponsor_fn("sponsor_home", |_, _| vec![], Granted, Granted),
        sponsor_fn("my_structures", |_, _| vec![], Granted, Granted),
        sponsor_fn("activation_preview", |_, _| vec![("siret", "21449001300049".into())], Granted, Granted),
        // `mairie` activates the Médiathèque; `ccas` then asks to manage it.
        sponsor_fn("activate_structure", |_, _| vec![("siret", "21449001300049".into())], Granted, Granted),
        structure_fn(
            "deactivation_preview",
            |_, _| vec![("siret", "21449001300015".into())],
            [Granted, Refused(403)],
            Refused(403),
            Granted,
        ),
        structure_fn(
            "deactivate_structure",
            |s, r| vec![("siret", s.structures.pick(r).1.clone()), ("taking_over", String::new())],
            [Granted, Refused(403)],
            Refused(403),
            Granted,
        ),
        sponsor_fn("manager_requests", |_, _| vec![], Granted, Granted),
        structure_fn(
            "decide_manager",
            |s, r| {
                let structure = s.structures.pick(r).0.to_string();
                vec![("structure", structure), ("login", "ccas".into()), ("decision", "refuse".into())]
            },
            [Granted, Refused(403)],
            Refused(403),
            Granted,
        ),
    ]
}

/// The shop: its catalogue and cart are anyone's; an account is opened by
/// a visitor only; an order is placed by a sponsor's manager for a
/// structure they manage, read by its managers and its agency's staff.
fn shop_fns() -> Vec<FnProbe> {
    use agency::*;
    let place_fields: Fields = |s, _| {
        let address = ["1 place de la Mairie", "44999", "Saint-Aubin-des-Castors"].map(String::from);
        vec![
            ("structure", s.structures.finances.to_string()),
            ("payment", "chorus".into()),
            ("billing_street", address[0].clone()),
            ("billing_postcode", address[1].clone()),
            ("billing_city", address[2].clone()),
            ("delivery_street", address[0].clone()),
            ("delivery_postcode", address[1].clone()),
            ("delivery_city", address[2].clone()),
        ]
    };
    vec![
        private("shop_catalogue", |_, _| vec![], everyone(Granted)),
        private(
            "add_to_cart",
            |_, _| vec![("product", "livraison".into()), ("quantity", "1".into())],
            everyone(Granted),
        ),
        private("shop_cart", |_, _| vec![], everyone(Granted)),
        private(
            "set_cart_quantity",
            |_, _| vec![("product", "livraison".into()), ("quantity", "2".into())],
            everyone(Granted),
        ),
        private("checkout", |_, _| vec![], everyone(Granted)),
        structure_fn("place_order", place_fields, [Granted, Refused(403)], Refused(403), Refused(403)),
        structure_fn(
            "shop_order",
            |s, _| vec![("id", s.structures.order.to_string())],
            [Granted, Refused(404)],
            Refused(404),
            Granted,
        ),
        sponsor_fn("my_orders", |_, _| vec![], Granted, Granted),
        staff_fn("agency_order", |s, _| vec![("id", s.structures.order.to_string())], Refused(404)),
        staff_fn("agency_orders", |_, _| vec![], Granted),
        staff_fn("shop_settings", |_, _| vec![], Granted),
        staff_fn("seller_identity", |_, _| vec![], Granted),
        staff_fn(
            "save_seller_identity",
            |_, role| {
                let mut fields = for_admin(role);
                fields.extend([
                    ("name", "Castors de l'Ouest, société coopérative".into()),
                    ("siret", "89012340900009".into()),
                    ("vat_number", "FR09890123409".into()),
                    ("street", "12 rue des Bâtisseurs".into()),
                    ("postcode", "44000".into()),
                    ("city", "Nantes".into()),
                ]);
                fields
            },
            Granted,
        ),
        staff_fn(
            "issue_sponsor_invoices",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.confirmed, r))],
            Refused(404),
        ),
        staff_fn(
            "record_chorus_state",
            |s, r| {
                let invoice = StructureSecrets::of(&s.structures.invoiced.1, r);
                vec![("invoice", invoice), ("state", "deposited".into()), ("reference", "CPP-MATRICE".into())]
            },
            Refused(404),
        ),
        // The order's thread, and the steps before production (seed 003).
        structure_fn(
            "post_order_message",
            |s, _| vec![("order", s.structures.order.to_string()), ("body", "Question matrice".into())],
            [Granted, Refused(404)],
            Refused(404),
            Granted,
        ),
        staff_as_caller_fn(
            "mark_order_scoped",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.confirmed, r))],
            Granted,
        ),
        // `order` still waits for its purchase order: too early for these,
        // for those who find it.
        structure_fn(
            "check_order_invoices",
            |s, _| vec![("order", s.structures.order.to_string()), ("decision", "conformes".into())],
            [Refused(409), Refused(404)],
            Refused(404),
            Refused(409),
        ),
        structure_fn(
            "make_order_proof",
            |s, _| vec![("order", s.structures.order.to_string())],
            [Refused(409), Refused(404)],
            Refused(404),
            Refused(409),
        ),
        structure_fn(
            "decide_order_proof",
            |s, _| {
                vec![("order", s.structures.order.to_string()), ("proof", "1".into()), ("decision", "valider".into())]
            },
            [Refused(409), Refused(404)],
            Refused(404),
            Refused(409),
        ),
        staff_fn(
            "produce_passes",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.invoiced_orders, r))],
            Refused(404),
        ),
        // The booklets shipped, their delivery confirmed (staff of Nantes
        // on the first order, before its sponsor, who finds it done).
        staff_as_caller_fn(
            "ship_order",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.invoiced_orders, r))],
            Granted,
        ),
        structure_fn(
            "confirm_order_delivery",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.invoiced_orders, r))],
            [Refused(409), Refused(404)],
            Refused(404),
            Granted,
        ),
        structure_fn(
            "record_counterpart",
            |s, r| {
                let order = StructureSecrets::of(&s.structures.invoiced_orders, r);
                let day = chrono::Utc::now().format("%d/%m/%Y").to_string();
                vec![("order", order), ("reference", "M-MATRICE".into()), ("day", day), ("amount", "1 000 000".into())]
            },
            [Granted, Refused(404)],
            Refused(404),
            Granted,
        ),
        staff_fn(
            "activate_passes",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.invoiced_orders, r))],
            Refused(404),
        ),
        // `order` has no passes yet: nothing to block, for the staff who find it.
        private(
            "block_passes",
            |s, _| {
                let order = s.structures.order.to_string();
                let range = ("P2026.NA.442.00000001".to_owned(), "P2026.NA.442.00000010".to_owned());
                vec![
                    ("order", order),
                    ("first", range.0),
                    ("last", range.1),
                    ("reason", "Perdu".into()),
                    ("action", "bloquer".into()),
                ]
            },
            [
                (Anonymous, Refused(401)),
                (Owner, Refused(403)),
                (OtherMember, Refused(403)),
                (Supplier, Refused(403)),
                (OtherAgencyStaff, Refused(404)),
                (AgencyStaff, Refused(409)),
                (Admin, Refused(409)),
                (Sponsor, Refused(403)),
                (OtherSponsor, Refused(403)),
            ],
        ),
        staff_fn(
            "cancel_order",
            |s, r| vec![("order", StructureSecrets::of(&s.structures.confirmed, r))],
            Refused(404),
        ),
        staff_fn(
            "correct_sponsor_invoice",
            |s, r| vec![("invoice", StructureSecrets::of(&s.structures.rejected, r))],
            Refused(404),
        ),
        staff_fn(
            "save_shop_settings",
            |_, role| {
                let mut fields = for_admin(role);
                fields.extend([
                    ("face_values", "10, 20, 50".into()),
                    ("booklet_size", "10".into()),
                    ("fee_rate", "4".into()),
                    ("accompaniment", "1 200".into()),
                    ("delivery", "15".into()),
                    ("vat_rate", "20".into()),
                    ("iban", "FR7630004000031234567890143".into()),
                ]);
                fields
            },
            Granted,
        ),
    ]
}

/// « Créer mon compte » at checkout: a visitor's; anyone logged in is told so.
fn open_sponsor_account() -> FnProbe {
    private(
        "open_sponsor_account",
        |_, role| {
            let password = "une longue phrase de castor".to_owned();
            vec![
                ("email", format!("matrice{}@fondation.example", role as u8)),
                ("password", password.clone()),
                ("confirm", password),
                ("name", "Jeanne Matrice".into()),
                ("phone", "02 40 00 00 09".into()),
                ("kind", "private".into()),
                ("label", format!("Fondation matrice {}", role as u8)),
            ]
        },
        by_role(Refused(409), Refused(409), Refused(409), Granted),
    )
}

/// The back office's structures: the register is every agency's (staff of
/// Rennes record a SIRET too), the structures are Nantes'.
fn structure_fns() -> Vec<FnProbe> {
    use agency::*;
    vec![
        staff_fn("agency_structures", |_, _| vec![], Granted),
        staff_fn("agency_sponsors", |_, _| vec![], Granted),
        staff_fn("agency_structure", |s, _| vec![("id", s.structures.techniques.to_string())], Refused(404)),
        staff_fn(
            "record_siret_state",
            |_, r| {
                let siret = common::agency::siret(&format!("7330000000{:03}", r as u8));
                vec![("siret", siret), ("state", "A".into()), ("name", "Établissement matrice".into())]
            },
            Granted,
        ),
        staff_fn(
            "add_service_code",
            |s, r| {
                let id = s.structures.techniques.to_string();
                vec![("id", id), ("code", format!("MX-{}", r as u8)), ("label", "Code matrice".into())]
            },
            Refused(404),
        ),
        staff_fn(
            "set_service_code_active",
            |s, _| {
                let id = s.structures.techniques.to_string();
                vec![("id", id), ("code", "ANC-01".into()), ("active", "0".into())]
            },
            Refused(404),
        ),
        staff_fn(
            "set_chorus_requirement",
            |s, _| vec![("id", s.structures.techniques.to_string()), ("requirement", "both".into())],
            Refused(404),
        ),
    ]
}

struct PageProbe {
    /// The route as declared in the router.
    route: &'static str,
    path: fn(&Secrets) -> String,
    expect: [(Role, Expect); 9],
    number_is_public: bool,
    /// As in `FnProbe`.
    sees_owner: &'static [Role],
}

const NOT_FOUND: &str = "Ce bon est introuvable.";
const MEMBERS_ONLY: &str = "Cet espace est réservé aux adhérents.";

fn member_page(route: &'static str, path: fn(&Secrets) -> String, other_member: Expect) -> PageProbe {
    PageProbe {
        route,
        path,
        expect: by_role(Granted, other_member, RefusedPage(403, MEMBERS_ONLY), ToLogin),
        number_is_public: false,
        sees_owner: &[],
    }
}

/// Every page, by space.
fn page_table() -> Vec<PageProbe> {
    let mut table = member_pages();
    table.extend(supplier_pages());
    table.extend(agency_pages());
    table.extend(money_pages());
    table.extend(sponsor_pages());
    table.extend(shop_pages());
    table.extend(structure_pages());
    table
}

/// The public shop; the orders' pages, for their structure's managers and
/// their agency's staff.
fn shop_pages() -> Vec<PageProbe> {
    use agency::staff_page;
    let public = |route: &'static str, path: fn(&Secrets) -> String| PageProbe {
        route,
        path,
        expect: everyone(Granted),
        number_is_public: false,
        sees_owner: &[],
    };
    let refused = RefusedPage(403, SPONSORS_ONLY);
    let missing = RefusedPage(404, "Commande introuvable.");
    vec![
        public("/boutique", |_| "/boutique".into()),
        public("/panier", |_| "/panier".into()),
        public("/caisse", |_| "/caisse".into()),
        sponsor_page("/commanditaire/commandes"),
        PageProbe {
            route: "/commanditaire/commandes/{id}",
            path: |s| format!("/commanditaire/commandes/{}", s.structures.order),
            expect: [
                (Anonymous, ToLogin),
                (Owner, refused),
                (OtherMember, refused),
                (Supplier, refused),
                (OtherAgencyStaff, missing),
                (AgencyStaff, Granted),
                (Admin, Granted),
                (Sponsor, Granted),
                (OtherSponsor, missing),
            ],
            number_is_public: false,
            sees_owner: &[],
        },
        staff_page("/agence/commandes", |_| "/agence/commandes".into(), Granted),
        staff_page("/agence/commandes/{id}", |s| format!("/agence/commandes/{}", s.structures.order), missing),
        staff_page("/agence/boutique", |_| "/agence/boutique".into(), Granted),
    ]
}

/// The back office's structures and sponsors: Nantes' structures, which
/// staff of Rennes do not reach.
fn structure_pages() -> Vec<PageProbe> {
    use agency::staff_page;
    vec![
        staff_page("/agence/structures", |_| "/agence/structures".into(), Granted),
        staff_page(
            "/agence/structures/{id}",
            |s| format!("/agence/structures/{}", s.structures.techniques),
            RefusedPage(404, "Structure introuvable."),
        ),
        staff_page("/agence/commanditaires", |_| "/agence/commanditaires".into(), Granted),
    ]
}

const SPONSORS_ONLY: &str = "Cet espace est réservé aux commanditaires.";

/// The sponsor's space: its two managers, and no one else.
fn sponsor_page(route: &'static str) -> PageProbe {
    let refused = RefusedPage(403, SPONSORS_ONLY);
    PageProbe {
        route,
        path: match route {
            "/commanditaire/activer" => |_| "/commanditaire/activer?siret=21449001300049".into(),
            "/commanditaire/inactiver" => |_| "/commanditaire/inactiver".into(),
            "/commanditaire/commandes" => |_| "/commanditaire/commandes".into(),
            _ => |_| "/commanditaire".into(),
        },
        expect: [
            (Anonymous, ToLogin),
            (Owner, refused),
            (OtherMember, refused),
            (Supplier, refused),
            (OtherAgencyStaff, refused),
            (AgencyStaff, refused),
            (Admin, refused),
            (Sponsor, Granted),
            (OtherSponsor, Granted),
        ],
        number_is_public: false,
        sees_owner: &[],
    }
}

fn sponsor_pages() -> Vec<PageProbe> {
    ["/commanditaire", "/commanditaire/activer", "/commanditaire/inactiver"].into_iter().map(sponsor_page).collect()
}

fn member_pages() -> Vec<PageProbe> {
    vec![
        member_page("/", |_| "/".into(), Granted),
        PageProbe {
            route: "/connexion",
            path: |_| "/connexion".into(),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        member_page("/bons", |_| "/bons".into(), Granted),
        PageProbe {
            route: "/mot-de-passe",
            path: |_| "/mot-de-passe".into(),
            expect: by_role(Granted, Granted, Granted, ToLogin),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/mot-de-passe-oublie",
            path: |_| "/mot-de-passe-oublie".into(),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/mon-compte",
            path: |_| "/mon-compte".into(),
            expect: by_role(Granted, Granted, Granted, ToLogin),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/activer",
            path: |_| "/activer".into(),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/reinitialiser/{token}",
            path: |_| format!("/reinitialiser/{}", "ab".repeat(32)),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/accessibilite",
            path: |_| "/accessibilite".into(),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/confirmer-adresse/{token}",
            path: |_| format!("/confirmer-adresse/{}", "ab".repeat(32)),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        member_page("/bons/nouveau", |_| "/bons/nouveau".into(), Granted),
        member_page("/bons/{id}", |s| format!("/bons/{}", s.used_id), RefusedPage(404, NOT_FOUND)),
        member_page("/bons/{id}/utiliser", |s| format!("/bons/{}/utiliser", s.issued_id), RefusedPage(404, NOT_FOUND)),
        member_page("/bons/{id}/code", |s| format!("/bons/{}/code", s.used_id), RefusedPage(404, NOT_FOUND)),
        PageProbe {
            route: "/verifier",
            path: |_| "/verifier".into(),
            expect: everyone(Granted),
            number_is_public: false,
            sees_owner: &[],
        },
        PageProbe {
            route: "/pass/{number}",
            path: |s| format!("/pass/{}?s={}", s.number, s.signature),
            expect: everyone(Granted),
            number_is_public: true,
            sees_owner: &[],
        },
        PageProbe {
            route: "/verifier/{number}",
            path: |s| format!("/verifier/{}?s={}", s.number, s.signature),
            expect: everyone(Granted),
            number_is_public: true,
            sees_owner: &[],
        },
    ]
}

const SUPPLIERS_ONLY: &str = "Cet espace est réservé aux fournisseurs partenaires.";

fn supplier_page(route: &'static str, path: fn(&Secrets) -> String, sees_owner: bool) -> PageProbe {
    let refused = RefusedPage(403, SUPPLIERS_ONLY);
    PageProbe {
        route,
        path,
        expect: [
            (Anonymous, ToLogin),
            (Owner, refused),
            (OtherMember, refused),
            (Supplier, Granted),
            (OtherAgencyStaff, refused),
            (AgencyStaff, refused),
            (Admin, refused),
            (Sponsor, refused),
            (OtherSponsor, refused),
        ],
        number_is_public: false,
        sees_owner: if sees_owner { &[Supplier] } else { &[] },
    }
}

fn supplier_pages() -> Vec<PageProbe> {
    vec![
        supplier_page("/fournisseur", |_| "/fournisseur".into(), false),
        supplier_page(
            "/fournisseur/verifier",
            |s| format!("/fournisseur/verifier?numero={}&c={}", s.number, s.supplier.code_proof),
            true,
        ),
        supplier_page("/fournisseur/pass", |_| "/fournisseur/pass".into(), false),
        supplier_page("/fournisseur/bons", |_| "/fournisseur/bons".into(), true),
        supplier_page("/fournisseur/factures", |_| "/fournisseur/factures".into(), false),
        supplier_page("/fournisseur/factures/nouvelle", |_| "/fournisseur/factures/nouvelle".into(), false),
        supplier_page(
            "/fournisseur/factures/{id}",
            |s| format!("/fournisseur/factures/{}", s.supplier.invoice_id),
            true,
        ),
        supplier_page("/fournisseur/cles", |_| "/fournisseur/cles".into(), false),
    ]
}

fn agency_pages() -> Vec<PageProbe> {
    use agency::staff_page;
    vec![
        staff_page("/agence", |_| "/agence".into(), Granted),
        staff_page("/agence/adherents", |_| "/agence/adherents".into(), Granted),
        staff_page("/agence/adherents/nouveau", |_| "/agence/adherents/nouveau".into(), Granted),
        staff_page("/agence/adherents/import", |_| "/agence/adherents/import".into(), Granted),
        staff_page(
            "/agence/adherents/{id}",
            |_| format!("/agence/adherents/{PAID_UP}"),
            RefusedPage(404, "Adhérent introuvable."),
        ),
        staff_page("/agence/fournisseurs", |_| "/agence/fournisseurs".into(), Granted),
        staff_page("/agence/fournisseurs/nouveau", |_| "/agence/fournisseurs/nouveau".into(), Granted),
        staff_page(
            "/agence/fournisseurs/{id}",
            |s| format!("/agence/fournisseurs/{}", s.supplier_id),
            RefusedPage(404, "Fournisseur introuvable."),
        ),
        staff_page("/agence/parametres", |_| "/agence/parametres".into(), Granted),
        staff_page("/agence/equipe", |_| "/agence/equipe".into(), Granted),
        staff_page("/agence/bons", |_| "/agence/bons".into(), Granted),
        staff_page("/agence/bons/{id}", |s| format!("/agence/bons/{}", s.used_id), RefusedPage(404, NOT_FOUND)),
    ]
}

fn money_pages() -> Vec<PageProbe> {
    use agency::staff_page;
    vec![
        member_page("/releves", |_| "/releves".into(), Granted),
        staff_page("/agence/factures", |_| "/agence/factures".into(), Granted),
        staff_page(
            "/agence/factures/{id}",
            |s| format!("/agence/factures/{}", s.money.flagged[0]),
            RefusedPage(404, "Facture introuvable."),
        ),
        staff_page("/agence/paiements", |_| "/agence/paiements".into(), Granted),
        staff_page(
            "/agence/paiements/{id}",
            |s| format!("/agence/paiements/{}", s.money.batches[0]),
            RefusedPage(404, "Lot de paiement introuvable."),
        ),
        staff_page("/agence/releves", |_| "/agence/releves".into(), Granted),
        staff_page("/agence/ristournes", |_| "/agence/ristournes".into(), Granted),
    ]
}

/// A route of the HTTP server outside Leptos (health check, downloads):
/// the status each role gets for a GET.
struct RouteProbe {
    path: fn(&Secrets) -> String,
    expect: [(Role, u16); 9],
    /// As in `FnProbe`.
    sees_owner: &'static [Role],
}

fn other_routes() -> Vec<RouteProbe> {
    let mut table = vec![
        RouteProbe { path: |_| "/healthz".into(), expect: ROLES.map(|r| (r, 200)), sees_owner: &[] },
        RouteProbe { path: |_| "/readyz".into(), expect: ROLES.map(|r| (r, 200)), sees_owner: &[] },
        // Without BONS_METRICS_TOKEN there is no /metrics (tests/operations.rs has it with one).
        RouteProbe { path: |_| "/metrics".into(), expect: ROLES.map(|r| (r, 404)), sees_owner: &[] },
    ];
    table.extend(supplier_routes());
    table.extend(agency_routes());
    table.extend(money_routes());
    table.extend(shop_routes());
    table
}

/// An order's summary and purchase order: its structure's managers and its
/// agency's staff; anyone else is told it does not exist (members and
/// suppliers, that the space is not theirs).
fn shop_routes() -> Vec<RouteProbe> {
    let order = |path| RouteProbe {
        path,
        expect: [
            (Anonymous, 401),
            (Owner, 403),
            (OtherMember, 403),
            (Supplier, 403),
            (OtherAgencyStaff, 404),
            (AgencyStaff, 200),
            (Admin, 200),
            (Sponsor, 200),
            (OtherSponsor, 404),
        ],
        sees_owner: &[],
    };
    let missing_file = |path| RouteProbe {
        path,
        expect: [
            (Anonymous, 401),
            (Owner, 403),
            (OtherMember, 403),
            (Supplier, 403),
            (OtherAgencyStaff, 404),
            (AgencyStaff, 404),
            (Admin, 404),
            (Sponsor, 404),
            (OtherSponsor, 404),
        ],
        sees_owner: &[],
    };
    vec![
        order(|s| format!("/commanditaire/commandes/{}/recapitulatif.pdf", s.structures.order)),
        order(|s| format!("/agence/commandes/{}/recapitulatif.pdf", s.structures.order)),
        order(|s| format!("/commanditaire/commandes/{}/pass-encaisses.csv", s.structures.order)),
        order(|s| format!("/agence/commandes/{}/pass-encaisses.csv", s.structures.order)),
        // Not given yet: no one finds it.
        missing_file(|s| format!("/commanditaire/commandes/{}/bon-de-commande.pdf", s.structures.order)),
        // No proof made yet.
        missing_file(|s| format!("/agence/commandes/{}/bat/1", s.structures.order)),
        // The year-end report: no passes activated yet, said to those who
        // may read the order.
        RouteProbe {
            path: |s| format!("/commanditaire/commandes/{}/bilan.csv", s.structures.order),
            expect: [
                (Anonymous, 401),
                (Owner, 403),
                (OtherMember, 403),
                (Supplier, 403),
                (OtherAgencyStaff, 404),
                (AgencyStaff, 409),
                (Admin, 409),
                (Sponsor, 409),
                (OtherSponsor, 404),
            ],
            sees_owner: &[],
        },
        // An invoice, as PDF and as XML for Chorus Pro.
        order(|s| {
            let (order, invoices) = s.structures.invoiced;
            format!("/commanditaire/commandes/{order}/factures/{}/pdf", invoices[0])
        }),
        order(|s| {
            let (order, invoices) = s.structures.invoiced;
            format!("/agence/commandes/{order}/factures/{}/xml", invoices[1])
        }),
        // No report recorded yet.
        missing_file(|s| format!("/commanditaire/commandes/{}/rapports/2", s.structures.invoiced.0)),
        // The passes to print, codes on them: staff only; none produced yet.
        RouteProbe {
            path: |s| format!("/agence/commandes/{}/pass.pdf", s.structures.order),
            expect: [
                (Anonymous, 401),
                (Owner, 403),
                (OtherMember, 403),
                (Supplier, 403),
                (OtherAgencyStaff, 404),
                (AgencyStaff, 409),
                (Admin, 409),
                (Sponsor, 403),
                (OtherSponsor, 403),
            ],
            sees_owner: &[],
        },
    ]
}

/// Downloads of the agency back office (the member import's template).
fn agency_routes() -> Vec<RouteProbe> {
    vec![RouteProbe {
        path: |_| "/agence/adherents/import/modele.csv".into(),
        expect: [
            (Anonymous, 401),
            (Owner, 403),
            (OtherMember, 403),
            (Supplier, 403),
            (OtherAgencyStaff, 200),
            (AgencyStaff, 200),
            (Admin, 200),
            (Sponsor, 403),
            (OtherSponsor, 403),
        ],
        sees_owner: &[],
    }]
}

/// Downloads of the supplier's space (CSV of delivered vouchers, invoice PDFs).
fn supplier_routes() -> Vec<RouteProbe> {
    vec![
        RouteProbe {
            path: |_| "/fournisseur/bons.csv?du=&au=&statut=".into(),
            expect: [
                (Anonymous, 401),
                (Owner, 403),
                (OtherMember, 403),
                (Supplier, 200),
                (OtherAgencyStaff, 403),
                (AgencyStaff, 403),
                (Admin, 403),
                (Sponsor, 403),
                (OtherSponsor, 403),
            ],
            sees_owner: &[Supplier],
        },
        // One download link for the supplier who sent it and the staff who pay it.
        RouteProbe {
            path: |s| format!("/factures/{}/pdf", s.supplier.invoice_id),
            expect: [
                (Anonymous, 401),
                (Owner, 404),
                (OtherMember, 404),
                (Supplier, 200),
                (OtherAgencyStaff, 404),
                (AgencyStaff, 200),
                (Admin, 200),
                (Sponsor, 404),
                (OtherSponsor, 404),
            ],
            sees_owner: &[Supplier, AgencyStaff, Admin],
        },
    ]
}

/// A statement's PDF and CSV: for the member it is for and the staff of
/// their agency; anyone else is told it does not exist.
fn money_routes() -> Vec<RouteProbe> {
    let statement = |path| RouteProbe {
        path,
        expect: [
            (Anonymous, 401),
            (Owner, 200),
            (OtherMember, 404),
            (Supplier, 404),
            (OtherAgencyStaff, 404),
            (AgencyStaff, 200),
            (Admin, 200),
            (Sponsor, 404),
            (OtherSponsor, 404),
        ],
        sees_owner: &[AgencyStaff, Admin],
    };
    vec![
        statement(|s| format!("/releves/{}/pdf", s.money.statement_id)),
        statement(|s| format!("/releves/{}/csv", s.money.statement_id)),
    ]
}

#[tokio::test]
async fn every_server_function_and_page_is_in_the_matrix() {
    let functions: BTreeSet<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_owned())
        .collect();
    let table: BTreeSet<String> = fn_table().iter().map(|p| p.name.to_owned()).collect();
    assert_eq!(functions, table, "every server function needs a row in fn_table()");

    let pages: BTreeSet<String> =
        leptos_axum::generate_route_list(app::App).iter().map(|r| r.path().to_owned()).collect();
    let table: BTreeSet<String> = page_table().iter().map(|p| p.route.to_owned()).collect();
    assert_eq!(pages, table, "every page needs a row in page_table()");
}

async fn session(app: &TestApp, role: Role) -> Browser {
    let login = match role {
        Anonymous => return app.browser(),
        Owner => PAID_UP,
        OtherMember => UNPAID,
        Supplier => "ouest",
        OtherAgencyStaff => "agence.rennes",
        AgencyStaff => "agence.nantes",
        Admin => "admin",
        Sponsor => "mairie",
        OtherSponsor => "ccas",
    };
    app.logged_in(login).await
}

async fn owner_objects(app: &TestApp) -> Secrets {
    let owner = app.logged_in(PAID_UP).await;
    let supplier_id = app.supplier_id("Matériaux de l'Ouest").await;
    let used_id = owner.request_voucher_json(&supplier_id, "42").await;
    let (_, card) = owner.call("use_voucher", &[("id", &used_id.to_string())]).await;
    let receipt = &card["receipt"];
    let number = receipt["number"].as_str().expect("number").to_owned();
    let code = receipt["code"].as_str().expect("code").to_owned();
    let supplier = supplier_objects(app, &number, &code).await;
    let money = money_objects(app, &supplier_id).await;
    let structures = structure_objects(app).await;
    Secrets {
        supplier,
        money,
        structures,
        used_id,
        issued_id: owner.request_voucher_json(&supplier_id, "43").await,
        cancel_id: owner.request_voucher_json(&supplier_id, "44").await,
        code: receipt["code"].as_str().expect("code").to_owned(),
        signature: app.state.keys.current().sign_check_link(&number),
        number,
        supplier_id,
    }
}

async fn set_up() -> (TestApp, Secrets) {
    // The demo data has the supplier, agency and admin logins; staff of
    // another agency are made here.
    let app = TestApp::spawn().await;
    app.create_staff("agence.rennes", "agency", Some("RE")).await;
    let secrets = owner_objects(&app).await;
    (app, secrets)
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_matrix_says_and_nothing_of_the_owners() {
    let (app, secrets) = set_up().await;
    let mut sessions = Vec::new();
    for role in ROLES {
        sessions.push((role, session(&app, role).await));
    }
    let mut state_before = voucher_states(&app, &secrets).await;
    let mut checked = 0;

    for probe in page_table() {
        let path = (probe.path)(&secrets);
        for (role, browser) in &sessions {
            let expect = probe.expect.iter().find(|(r, _)| r == role).unwrap().1;
            let page = browser.get(&path).await;
            let context = format!("{role:?} GET {path}");
            match expect {
                Granted => assert_eq!(page.status, StatusCode::OK, "{context}"),
                ToLogin => {
                    assert_eq!(page.status, StatusCode::SEE_OTHER, "{context}");
                    let login = app::security::login_path(&path);
                    assert_eq!(page.location.as_deref(), Some(login.as_str()), "{context}");
                    assert!(path == "/" || login.starts_with("/connexion?suivant=/"), "{context}: {login}");
                }
                RefusedPage(status, message) => {
                    assert_eq!(page.status.as_u16(), status, "{context}");
                    assert!(page.contains(message), "{context}: expected «{message}»");
                }
                Refused(status) => assert_eq!(page.status.as_u16(), status, "{context}"),
            }
            if *role != Owner && !probe.sees_owner.contains(role) {
                let leaks = secrets.leaks(&page.body, probe.number_is_public);
                assert!(leaks.is_empty(), "{context} leaks {leaks:?}");
            }
            checked += 1;
        }
    }

    for probe in other_routes() {
        let path = (probe.path)(&secrets);
        for (role, browser) in &sessions {
            let expect = probe.expect.iter().find(|(r, _)| r == role).unwrap().1;
            let res = browser.client.get(format!("{}{path}", browser.base)).send().await.expect("GET");
            assert_eq!(res.status().as_u16(), expect, "{role:?} GET {path}");
            let body = String::from_utf8_lossy(&res.bytes().await.expect("body")).into_owned();
            if *role != Owner && !probe.sees_owner.contains(role) {
                let leaks = secrets.leaks(&body, false);
                assert!(leaks.is_empty(), "{role:?} GET {path} leaks {leaks:?}");
            }
            checked += 1;
        }
    }

    for probe in fn_table() {
        for (role, browser) in &sessions {
            let fields = (probe.fields)(&secrets, *role);
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let expect = probe.expect.iter().find(|(r, _)| r == role).unwrap().1;
            let (status, json) = browser.call(probe.name, &fields).await;
            let context = format!("{role:?} calls {}: {json}", probe.name);
            match expect {
                Granted => assert_eq!(status, StatusCode::OK, "{context}"),
                Refused(code) => assert_eq!(status.as_u16(), code, "{context}"),
                ToLogin | RefusedPage(..) => unreachable!("pages only"),
            }
            if *role != Owner && !probe.sees_owner.contains(role) {
                let leaks = secrets.leaks(&json.to_string(), probe.number_is_public);
                assert!(leaks.is_empty(), "{context} leaks {leaks:?}");
            }
            // Refused calls change nothing of the owner's.
            if expect == Granted {
                state_before = voucher_states(&app, &secrets).await;
            } else {
                assert_eq!(voucher_states(&app, &secrets).await, state_before, "{context} changed a voucher");
            }
            checked += 1;
        }
    }

    // The owner's granted calls did what they say; the sessions are over.
    let after = voucher_states(&app, &secrets).await;
    assert_eq!(after[1].0, 11, "the owner used the issued voucher");
    assert_eq!(after[2].0, 91, "the owner cancelled the third voucher");
    for (role, browser) in &sessions {
        assert_ne!(browser.call("whoami", &[]).await.0, StatusCode::OK, "{role:?} is logged out");
    }
    println!(
        "authorization matrix: {} server functions + {} pages + {} other routes × {} roles = {checked} answers checked",
        fn_table().len(),
        page_table().len(),
        other_routes().len(),
        ROLES.len()
    );
}

/// (status, validated?) of the used, issued and to-cancel vouchers.
async fn voucher_states(app: &TestApp, s: &Secrets) -> Vec<(i64, bool)> {
    let mut states = Vec::new();
    for id in [s.used_id, s.issued_id, s.cancel_id] {
        let (status, _, validated) = app.voucher_row(id).await;
        states.push((status, validated.is_some()));
    }
    states
}
