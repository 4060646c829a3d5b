"""Copy the request's organisation, MPN ID, solution area and filing time onto its claims, so
the MPN audit reads one table through one covering index (see Claim)."""

import django.db.models.deletion
from django.db import migrations, models

BACKFILL = """
UPDATE associations_claim AS c
   SET organisation_id = r.organisation_id,
       mpn_id = r.mpn_id,
       solution_area = r.solution_area,
       filed_at = r.created_at
  FROM associations_associationrequest AS r
 WHERE c.request_id = r.id
"""


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0004_check_result_passed"),
        ("partners", "0003_membership_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.organisation",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="mpn",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.mpnid",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="solution_area",
            field=models.CharField(
                choices=[
                    ("business_applications", "Business Applications"),
                    ("microsoft_365", "Microsoft 365"),
                ],
                default="",
                max_length=32,
                verbose_name="solution area",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="claim",
            name="filed_at",
            field=models.DateTimeField(null=True, verbose_name="filed"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="claim",
            name="organisation",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="mpn",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="partners.mpnid",
            ),
        ),
        migrations.AlterField(
            model_name="claim",
            name="filed_at",
            field=models.DateTimeField(verbose_name="filed"),
        ),
    ]
