//! The OpenAPI 3 document of `/api/v1`, written next to the handlers it
//! describes: every request body, every status a handler can answer and
//! its schema. Schemathesis (`make api-test`) checks the server against it.

use super::{MAX_CENTS, delivered_status_codes};
use app::domain::{InvoiceStatus, LineFlag, invoice::MAX_INVOICE_LINES};
use serde_json::{Value, json};

/// `W2026.NA.442.00000123` (letters in either case).
const NUMBER_PATTERN: &str = r"^[Ww][1-9][0-9]{3}\.[A-Za-z0-9]{2}\.[0-9]{3}\.(?!00000000)[0-9]{8}$";
/// An invoice line names a voucher or a Pass Castors spent at the counter.
const LINE_NUMBER_PATTERN: &str = r"^[WwPp][1-9][0-9]{3}\.[A-Za-z0-9]{2}\.[0-9]{3}\.(?!00000000)[0-9]{8}$";
/// `P2026.NA.442.00000001` (letters in either case).
const PASS_PATTERN: &str = r"^[Pp][1-9][0-9]{3}\.[A-Za-z0-9]{2}\.[0-9]{3}\.(?!00000000)[0-9]{8}$";
/// The days the server reads: years 1900 to 9999.
const DAY_PATTERN: &str = r"^(19|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}$";

fn error(description: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn unauthorized() -> Value {
    json!({
        "description": "Clé API manquante, inconnue ou révoquée.",
        "headers": { "WWW-Authenticate": { "schema": { "type": "string" } } },
        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
    })
}

fn ok(description: &str, schema: &str) -> Value {
    json!({
        "description": description,
        "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } }
    })
}

fn nullable(mut schema: Value) -> Value {
    schema["nullable"] = json!(true);
    schema
}

fn invoice_ref() -> Value {
    json!({
        "type": "object",
        "description": "La facture du fournisseur qui porte ce bon.",
        "required": ["id", "number", "status", "status_label"],
        "additionalProperties": false,
        "properties": {
            "id": { "type": "integer", "format": "int64" },
            "number": { "type": "string" },
            "status": { "type": "string", "enum": InvoiceStatus::ALL.map(InvoiceStatus::code) },
            "status_label": { "type": "string", "enum": InvoiceStatus::ALL.map(InvoiceStatus::label) }
        }
    })
}

fn cents(description: &str) -> Value {
    json!({ "type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_CENTS, "description": description })
}

pub fn document() -> Value {
    let voucher_statuses = delivered_status_codes();
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Bons Castors — API des caisses fournisseurs",
            "version": "1.0.0",
            "description": "Vérifier un bon (numéro + code secret), encaisser un pass, lister les bons livrés, envoyer une facture et la suivre. \
                Authentification : `Authorization: Bearer <clé>`, clé créée dans l'espace fournisseur (Caisse (API)). \
                Les erreurs sont `{\"error\": \"<message en français>\"}`. Montants en centimes TTC, instants en UTC (RFC 3339), jours au format AAAA-MM-JJ (calendrier de Paris)."
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "cle_api": [] }],
        "paths": {
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "Ce document.",
                    "security": [],
                    "responses": {
                        "200": { "description": "Le document OpenAPI.", "content": { "application/json": { "schema": { "type": "object" } } } }
                    }
                }
            },
            "/vouchers/check": {
                "post": {
                    "operationId": "checkVoucher",
                    "summary": "Vérifier un bon au comptoir : numéro et code secret notés sur le bon de livraison.",
                    "description": "Chaque tentative est décomptée (par adresse et par clé, 20 échecs par quart d'heure ; pour un bon d'un autre fournisseur, 10 échecs par jour et par numéro, tous appelants confondus) ; cinq codes faux de suite du fournisseur du bon le bloquent jusqu'à ce que l'agence le débloque. Tout échec reçoit la même réponse 422.",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/CheckRequest" } } }
                    },
                    "responses": {
                        "200": ok("Bon authentique.", "CheckAnswer"),
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire."),
                        "413": error("Corps trop gros."),
                        "415": error("Le corps n'est pas du JSON."),
                        "422": error("Numéro de bon ou code secret incorrect, ou requête mal formée."),
                        "429": error("Trop de tentatives : réessayez après le délai de l'en-tête Retry-After.")
                    }
                }
            },
            "/passes/spend": {
                "post": {
                    "operationId": "spendPass",
                    "summary": "Encaisser un Pass Castors : numéro et code secret imprimés sur le pass.",
                    "description": "Le pass est encaissé pour toute sa valeur, une seule fois ; le même appel répété par le fournisseur qui l'a encaissé renvoie la même réponse. Chaque tentative est décomptée (par adresse et par clé, 20 échecs par quart d'heure) ; cinq codes faux de suite bloquent le pass jusqu'à ce que l'agence le débloque. Numéro inconnu, code faux ou pass bloqué : la même réponse 422. Pass pas encore activé, expiré, annulé, bloqué par l'agence, d'une autre agence ou déjà encaissé ailleurs : 409, avec la raison.",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SpendPassRequest" } } }
                    },
                    "responses": {
                        "200": ok("Pass encaissé.", "SpentPass"),
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire."),
                        "409": error("Ce pass ne peut pas être encaissé : le message dit pourquoi."),
                        "413": error("Corps trop gros."),
                        "415": error("Le corps n'est pas du JSON."),
                        "422": error("Numéro de pass ou code secret incorrect, ou requête mal formée."),
                        "429": error("Trop de tentatives : réessayez après le délai de l'en-tête Retry-After.")
                    }
                }
            },
            "/vouchers": {
                "get": {
                    "operationId": "listDeliveredVouchers",
                    "summary": "Les bons utilisés chez le fournisseur, le plus récent d'abord, puis les pass encaissés les mêmes jours.",
                    "parameters": [
                        { "name": "from", "in": "query", "required": false, "description": "Premier jour d'utilisation (Paris), inclus.", "schema": { "type": "string", "format": "date", "pattern": DAY_PATTERN } },
                        { "name": "to", "in": "query", "required": false, "description": "Dernier jour d'utilisation (Paris), inclus.", "schema": { "type": "string", "format": "date", "pattern": DAY_PATTERN } },
                        { "name": "status", "in": "query", "required": false, "description": "11 livré, 21 facturé, 31 payé, 91 annulé (utilisation annulée par l'agence).", "schema": { "type": "integer", "enum": voucher_statuses } }
                    ],
                    "responses": {
                        "200": ok("Les bons et leurs totaux.", "VoucherList"),
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire."),
                        "422": error("Filtre invalide.")
                    }
                }
            },
            "/invoices": {
                "get": {
                    "operationId": "listInvoices",
                    "summary": "Les factures du fournisseur, la plus récente d'abord.",
                    "responses": {
                        "200": ok("Les factures.", "InvoiceList"),
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire.")
                    }
                },
                "post": {
                    "operationId": "submitInvoice",
                    "summary": "Envoyer une facture : une ligne par bon (numéro, code secret, montant).",
                    "description": "Tout ou rien : une erreur de saisie ne crée rien. Chaque ligne est rapprochée de son bon ; une ligne qui ne correspond pas est enregistrée avec son motif (flag) pour l'agence. Les codes faux sont décomptés comme les vérifications au comptoir (par adresse et par clé) : une facture qui dépasserait ce décompte est refusée en entier (429). Le montant TTC doit être la somme des lignes ; un même bon ne peut figurer deux fois ; le numéro de facture est unique par fournisseur (409). Le PDF s'envoie depuis l'espace fournisseur.",
                    "requestBody": {
                        "required": true,
                        "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvoiceRequest" } } }
                    },
                    "responses": {
                        "201": {
                            "description": "Facture reçue, avec le contrôle de chaque ligne.",
                            "headers": { "Location": { "description": "Adresse de la facture.", "schema": { "type": "string" } } },
                            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/InvoiceDetail" } } },
                            "links": {
                                "GetInvoice": { "operationId": "getInvoice", "parameters": { "id": "$response.body#/id" } }
                            }
                        },
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire."),
                        "409": error("Numéro de facture déjà utilisé par ce fournisseur."),
                        "413": error("Corps trop gros."),
                        "415": error("Le corps n'est pas du JSON."),
                        "422": error("Facture mal formée : le message nomme chaque erreur, avec sa ligne."),
                        "429": error("Trop de codes secrets faux depuis cette clé ou cette adresse : rien n'est enregistré ; réessayez après le délai de l'en-tête Retry-After.")
                    }
                }
            },
            "/invoices/{id}": {
                "get": {
                    "operationId": "getInvoice",
                    "summary": "Une facture du fournisseur et le contrôle de chaque ligne.",
                    "parameters": [
                        { "name": "id", "in": "path", "required": true, "schema": { "type": "integer", "format": "int64", "minimum": 1 } }
                    ],
                    "responses": {
                        "200": ok("La facture.", "InvoiceDetail"),
                        "401": unauthorized(),
                        "403": error("Le fournisseur n'est plus partenaire."),
                        "404": error("Facture introuvable (ou d'un autre fournisseur).")
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {
                "cle_api": { "type": "http", "scheme": "bearer", "bearerFormat": "bons_ suivi de 64 chiffres hexadécimaux" }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "additionalProperties": false,
                    "properties": { "error": { "type": "string", "description": "Ce qui ne va pas, en français." } }
                },
                "CheckRequest": {
                    "type": "object",
                    "required": ["number", "code"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string", "pattern": NUMBER_PATTERN, "example": "W2026.NA.442.00000123" },
                        "code": { "type": "string", "pattern": r"^[0-9]{4,8}$", "example": "5312" }
                    }
                },
                "CheckAnswer": {
                    "type": "object",
                    "required": ["genuine", "number", "supplier", "own_voucher", "amount_cents", "status", "status_label", "used_at", "member_initials", "invoiced", "invoice"],
                    "additionalProperties": false,
                    "properties": {
                        "genuine": { "type": "boolean", "enum": [true] },
                        "number": { "type": "string" },
                        "supplier": { "type": "string", "description": "Le fournisseur pour lequel le bon a été émis." },
                        "own_voucher": { "type": "boolean", "description": "Émis pour ce fournisseur : sinon, ne pas livrer." },
                        "amount_cents": { "type": "integer", "format": "int64" },
                        "status": { "type": "integer", "enum": voucher_statuses },
                        "status_label": { "type": "string" },
                        "used_at": { "type": "string", "format": "date-time" },
                        "member_initials": { "type": "string" },
                        "invoiced": { "type": "boolean", "description": "Déjà sur une facture de ce fournisseur, ou facturé/payé." },
                        "invoice": nullable(invoice_ref())
                    }
                },
                "SpendPassRequest": {
                    "type": "object",
                    "required": ["number", "code"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string", "pattern": PASS_PATTERN, "example": "P2026.NA.442.00000001" },
                        "code": { "type": "string", "pattern": r"^[0-9]{6}$", "example": "042917" }
                    }
                },
                "SpentPass": {
                    "type": "object",
                    "required": ["number", "face_value_cents", "sponsor", "spent_at"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string" },
                        "face_value_cents": { "type": "integer", "format": "int64", "description": "Valeur du pass : ce qui sera payé au fournisseur." },
                        "sponsor": { "type": "string", "description": "Le commanditaire qui a acheté le pass." },
                        "spent_at": { "type": "string", "format": "date-time" }
                    }
                },
                "Voucher": {
                    "type": "object",
                    "required": ["number", "used_at", "amount_cents", "status", "status_label", "member_initials", "invoice", "paid_on"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string" },
                        "used_at": { "type": "string", "format": "date-time" },
                        "amount_cents": { "type": "integer", "format": "int64" },
                        "status": { "type": "integer", "enum": voucher_statuses },
                        "status_label": { "type": "string" },
                        "member_initials": { "type": "string" },
                        "invoice": nullable(invoice_ref()),
                        "paid_on": { "type": "string", "format": "date", "nullable": true }
                    }
                },
                "VoucherList": {
                    "type": "object",
                    "required": ["vouchers", "count", "total_cents", "passes", "pass_count", "pass_total_cents"],
                    "additionalProperties": false,
                    "properties": {
                        "vouchers": { "type": "array", "items": { "$ref": "#/components/schemas/Voucher" } },
                        "count": { "type": "integer", "format": "int64", "minimum": 0 },
                        "total_cents": { "type": "integer", "format": "int64", "minimum": 0, "description": "Valeur des bons listés, hors utilisations annulées (91)." },
                        "passes": { "type": "array", "items": { "$ref": "#/components/schemas/DeliveredPass" } },
                        "pass_count": { "type": "integer", "format": "int64", "minimum": 0 },
                        "pass_total_cents": { "type": "integer", "format": "int64", "minimum": 0, "description": "Valeur faciale des pass listés." }
                    }
                },
                "DeliveredPass": {
                    "type": "object",
                    "description": "Un Pass Castors encaissé au comptoir du fournisseur.",
                    "required": ["number", "spent_at", "amount_cents", "status", "status_label", "sponsor", "invoice_number", "paid_on"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string", "example": "P2026.NA.442.00000001" },
                        "spent_at": { "type": "string", "format": "date-time" },
                        "amount_cents": { "type": "integer", "format": "int64", "minimum": 0, "description": "Valeur faciale du pass, en centimes." },
                        "status": { "type": "integer", "enum": [11, 21, 31], "description": "11 encaissé, 21 facturé (facture acceptée), 31 payé." },
                        "status_label": { "type": "string" },
                        "sponsor": { "type": "string", "description": "Le commanditaire qui a acheté le pass." },
                        "invoice_number": { "type": "string", "nullable": true, "description": "Le numéro de la facture acceptée qui le réclame." },
                        "paid_on": { "type": "string", "format": "date", "nullable": true }
                    }
                },
                "InvoiceLineRequest": {
                    "type": "object",
                    "required": ["voucher_number", "code", "amount_cents"],
                    "additionalProperties": false,
                    "properties": {
                        "voucher_number": {
                            "type": "string",
                            "pattern": LINE_NUMBER_PATTERN,
                            "description": "Le numéro du bon (W…) ou du Pass Castors encaissé (P…)."
                        },
                        "code": { "type": "string", "pattern": r"^[0-9]{4,8}$" },
                        "amount_cents": cents("Montant TTC de la ligne, en centimes.")
                    }
                },
                "InvoiceRequest": {
                    "type": "object",
                    "example": {
                        "number": "F-2026-001",
                        "date": "2026-01-15",
                        "amount_cents": 5000,
                        "lines": [
                            { "voucher_number": "W2026.NA.442.00000001", "code": "5312", "amount_cents": 4200 },
                            { "voucher_number": "W2026.NA.442.00000002", "code": "0007", "amount_cents": 800 }
                        ]
                    },
                    "required": ["number", "date", "amount_cents", "lines"],
                    "additionalProperties": false,
                    "properties": {
                        "number": { "type": "string", "minLength": 1, "maxLength": 40, "description": "Le numéro de facture du fournisseur." },
                        "date": { "type": "string", "format": "date", "pattern": DAY_PATTERN, "description": "Date de la facture, pas dans le futur." },
                        "amount_cents": cents("Montant TTC de la facture : la somme des lignes."),
                        "lines": { "type": "array", "minItems": 1, "maxItems": MAX_INVOICE_LINES, "items": { "$ref": "#/components/schemas/InvoiceLineRequest" } }
                    }
                },
                "Invoice": {
                    "type": "object",
                    "required": ["id", "number", "invoice_date", "amount_cents", "status", "status_label", "correction_reason", "paid_on", "submitted_at", "line_count", "open_flags", "has_pdf"],
                    "additionalProperties": false,
                    "properties": invoice_properties()
                },
                "InvoiceList": {
                    "type": "object",
                    "required": ["invoices"],
                    "additionalProperties": false,
                    "properties": { "invoices": { "type": "array", "items": { "$ref": "#/components/schemas/Invoice" } } }
                },
                "InvoiceLine": {
                    "type": "object",
                    "required": ["position", "voucher_number", "amount_cents", "voucher_amount_cents", "flag", "flag_label", "override_reason"],
                    "additionalProperties": false,
                    "properties": {
                        "position": { "type": "integer", "format": "int64" },
                        "voucher_number": { "type": "string" },
                        "amount_cents": { "type": "integer", "format": "int64" },
                        "voucher_amount_cents": { "type": "integer", "format": "int64", "nullable": true },
                        "flag": { "type": "string", "enum": LineFlag::ALL.map(LineFlag::code), "nullable": true, "description": "Pourquoi la ligne ne correspond pas à son bon (null : elle correspond)." },
                        "flag_label": { "type": "string", "nullable": true },
                        "override_reason": { "type": "string", "nullable": true, "description": "L'agence a accepté la ligne malgré son motif, pour cette raison." }
                    }
                },
                "InvoiceDetail": {
                    "type": "object",
                    "required": ["id", "number", "invoice_date", "amount_cents", "status", "status_label", "correction_reason", "paid_on", "submitted_at", "line_count", "open_flags", "has_pdf", "lines"],
                    "additionalProperties": false,
                    "properties": {
                        "lines": { "type": "array", "items": { "$ref": "#/components/schemas/InvoiceLine" } }
                    }
                }
            }
        }
    });
    // InvoiceDetail is an Invoice with its lines: the same properties.
    if let (Some(detail), Value::Object(invoice)) =
        (doc["components"]["schemas"]["InvoiceDetail"]["properties"].as_object_mut(), invoice_properties())
    {
        detail.extend(invoice);
    }
    doc
}

fn invoice_properties() -> Value {
    json!({
        "id": { "type": "integer", "format": "int64" },
        "number": { "type": "string" },
        "invoice_date": { "type": "string", "format": "date" },
        "amount_cents": { "type": "integer", "format": "int64" },
        "status": { "type": "string", "enum": InvoiceStatus::ALL.map(InvoiceStatus::code) },
        "status_label": { "type": "string", "enum": InvoiceStatus::ALL.map(InvoiceStatus::label) },
        "correction_reason": { "type": "string", "nullable": true },
        "paid_on": { "type": "string", "format": "date", "nullable": true },
        "submitted_at": { "type": "string", "format": "date-time" },
        "line_count": { "type": "integer", "format": "int64" },
        "open_flags": { "type": "integer", "format": "int64", "description": "Lignes qui ne correspondent pas à leur bon, non acceptées par l'agence." },
        "has_pdf": { "type": "boolean" }
    })
}
