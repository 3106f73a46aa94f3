-- Lookups the flows make that had no index of their own.

-- The hourly expiry scan: requested vouchers past their validity.
CREATE INDEX vouchers_expiring ON vouchers (status, valid_until);

-- A statement run's second half: the month's statements a run made that are
-- still owed their email (stored with an address, not sent, no error).
CREATE INDEX statements_owed_email ON statements (agency_id, period_from, period_to, id)
    WHERE run_id IS NOT NULL AND emailed_to IS NOT NULL AND emailed_at IS NULL AND email_error IS NULL;
