"""Bulk filing: a spreadsheet of up to 5,000 rows parsed and pre-flighted by a real qcluster.

The rows are for the tenants the generator never claimed (`Tenants`), filed as the big
organisation with an MPN ID enrolled in Business Applications and Microsoft 365: five rows a
tenant (its three Dynamics subscriptions in one request key, two Microsoft 365 workloads in
another), so every row meets the directory, the duplicate look-up and the pre-flight as a real
upload does. Timed from the upload's commit until the batch is ready, through the worker.
"""

from associations.bulk.spreadsheet import COLUMNS, rows_xlsx
from bench.generate import BA_PRODUCTS, M365_PRODUCTS, subscription_uuid, tenant_domain, tenant_uuid

ROWS_PER_TENANT = 5


def bulk_rows(first_tenant: int, count: int, mpn_id: str) -> list[dict]:
    """`count` rows, five a tenant from `first_tenant` on."""
    rows = []
    ti = first_tenant
    while len(rows) < count:
        domain = tenant_domain(ti)
        for slot in range(ROWS_PER_TENANT):
            business = slot < 3
            products = BA_PRODUCTS if business else M365_PRODUCTS
            rows.append(
                {
                    "claim_name": f"Bench bulk filing {ti}",
                    "tenant_id": tenant_uuid(ti),
                    "domain": domain,
                    "solution_area": "Business Applications" if business else "Microsoft 365",
                    "activity": "Pre-sales" if business else "Usage",
                    "mpn_id": mpn_id,
                    "product": products[(ti + slot) % 5][2],
                    "subscription_id": subscription_uuid(ti, slot),
                    "customer_contact_name": "Jana Novakova",
                    "customer_contact_title": "CIO",
                    "customer_contact_email": f"cio@{domain}",
                    "partner_contact_name": "Petr Svoboda",
                    "partner_contact_email": "sales@partner.example",
                    "solution_seller_name": "",
                    "isv_product_name": "",
                    "opt_out_of_incentives": "no",
                    "public_sector": "no",
                    "proof_description": "Workshops and deployment, signed by the customer.",
                }
            )
        ti += 1
    return rows[:count]


def bulk_xlsx(rows: list[dict]) -> bytes:
    return rows_xlsx([list(COLUMNS), *([row[column] for column in COLUMNS] for row in rows)])
