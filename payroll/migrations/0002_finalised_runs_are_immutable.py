"""A finalised (or published) pay run and its slips cannot change, enforced in the database:

* payroll_payrun: once finalised, only the move to "published" (and its timestamp) is allowed;
  no other column may change and the row may not be deleted;
* payroll_payslip and payroll_payslipline: no INSERT, UPDATE or DELETE for a run that is
  finalised or published.

Corrections go into a later period as pay adjustments.
"""

from django.db import migrations

SQL = r"""
CREATE OR REPLACE FUNCTION payroll_run_is_locked(run_id bigint) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM payroll_payrun WHERE id = run_id AND status IN ('finalized', 'published'));
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION payroll_payrun_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.status IN ('finalized', 'published') THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'pay run % is finalised and cannot be deleted', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF NEW.status NOT IN ('finalized', 'published')
           OR (OLD.status = 'published' AND NEW.status <> 'published')
           OR (to_jsonb(NEW) - 'status' - 'published_at') IS DISTINCT FROM (to_jsonb(OLD) - 'status' - 'published_at') THEN
            RAISE EXCEPTION 'pay run % is finalised and cannot be changed', OLD.id USING ERRCODE = 'integrity_constraint_violation';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payroll_payrun_immutable
    BEFORE UPDATE OR DELETE ON payroll_payrun
    FOR EACH ROW EXECUTE FUNCTION payroll_payrun_guard();

-- slips and lines: statement-level checks over the transition tables, so a bulk COPY of
-- 200,000 lines costs one check instead of 200,000
CREATE OR REPLACE FUNCTION payroll_slips_guard() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM changed_rows r WHERE payroll_run_is_locked(r.run_id)) THEN
        RAISE EXCEPTION 'payslips of a finalised pay run cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payroll_payslip_no_insert AFTER INSERT ON payroll_payslip
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_slips_guard();
CREATE TRIGGER payroll_payslip_no_update_new AFTER UPDATE ON payroll_payslip
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_slips_guard();
CREATE TRIGGER payroll_payslip_no_update_old AFTER UPDATE ON payroll_payslip
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_slips_guard();
CREATE TRIGGER payroll_payslip_no_delete AFTER DELETE ON payroll_payslip
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_slips_guard();

CREATE OR REPLACE FUNCTION payroll_lines_guard() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM (SELECT DISTINCT slip_id FROM changed_rows) r
        JOIN payroll_payslip s ON s.id = r.slip_id
        WHERE payroll_run_is_locked(s.run_id)
    ) THEN
        RAISE EXCEPTION 'payslip lines of a finalised pay run cannot be changed' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER payroll_payslipline_no_insert AFTER INSERT ON payroll_payslipline
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_guard();
CREATE TRIGGER payroll_payslipline_no_update_new AFTER UPDATE ON payroll_payslipline
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_guard();
CREATE TRIGGER payroll_payslipline_no_update_old AFTER UPDATE ON payroll_payslipline
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_guard();
CREATE TRIGGER payroll_payslipline_no_delete AFTER DELETE ON payroll_payslipline
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION payroll_lines_guard();
"""

REVERSE = """
DROP TRIGGER IF EXISTS payroll_payslipline_no_insert ON payroll_payslipline;
DROP TRIGGER IF EXISTS payroll_payslipline_no_update_new ON payroll_payslipline;
DROP TRIGGER IF EXISTS payroll_payslipline_no_update_old ON payroll_payslipline;
DROP TRIGGER IF EXISTS payroll_payslipline_no_delete ON payroll_payslipline;
DROP TRIGGER IF EXISTS payroll_payslip_no_insert ON payroll_payslip;
DROP TRIGGER IF EXISTS payroll_payslip_no_update_new ON payroll_payslip;
DROP TRIGGER IF EXISTS payroll_payslip_no_update_old ON payroll_payslip;
DROP TRIGGER IF EXISTS payroll_payslip_no_delete ON payroll_payslip;
DROP TRIGGER IF EXISTS payroll_payrun_immutable ON payroll_payrun;
DROP FUNCTION IF EXISTS payroll_lines_guard();
DROP FUNCTION IF EXISTS payroll_slips_guard();
DROP FUNCTION IF EXISTS payroll_payrun_guard();
DROP FUNCTION IF EXISTS payroll_run_is_locked(bigint);
"""


class Migration(migrations.Migration):
    dependencies = [("payroll", "0001_pay_structures_and_runs")]
    operations = [migrations.RunSQL(SQL, REVERSE)]
