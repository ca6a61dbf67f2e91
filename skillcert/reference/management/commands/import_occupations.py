from skillcert.reference.importers import occupation_import
from skillcert.reference.management.commands._import import CatalogueImportCommand


class Command(CatalogueImportCommand):
    help = "导入国家职业分类大典（2022 版）职业目录（JSON）；不删除任何职业。"
    label = "import-occupations"

    def importer(self):
        return occupation_import
