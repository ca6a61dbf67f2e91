from skillcert.reference.importers import region_import
from skillcert.reference.management.commands._import import CatalogueImportCommand


class Command(CatalogueImportCommand):
    help = "导入 GB/T 2260 行政区划代码全部历史（CSV，含已弃用代码）。"
    label = "import-regions"

    def importer(self):
        return region_import
