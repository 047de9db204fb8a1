from django.db import migrations, models


class Migration(migrations.Migration):
    """Ticket categories become the 项目办's catalogue: CategorySLA gets a name, an order and an active flag, and the
    category codes (on the catalogue and on tickets) lose their fixed choices."""

    dependencies = [("tickets", "0002_category_sla_limits")]

    operations = [
        migrations.AlterModelOptions(
            name="categorysla",
            options={
                "ordering": ["sort_order", "category"],
                "verbose_name": "工单类别与办理时限",
                "verbose_name_plural": "工单类别与办理时限",
            },
        ),
        migrations.AlterField(
            model_name="categorysla",
            name="category",
            field=models.CharField(max_length=20, unique=True, verbose_name="类别代码"),
        ),
        migrations.AddField(
            model_name="categorysla",
            name="name",
            field=models.CharField(default="", max_length=30, verbose_name="类别名称"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="categorysla",
            name="sort_order",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="排序"),
        ),
        migrations.AddField(
            model_name="categorysla",
            name="is_active",
            field=models.BooleanField(default=True, verbose_name="启用"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="category",
            field=models.CharField(max_length=20, verbose_name="类别"),
        ),
    ]
