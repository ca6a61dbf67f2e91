"""What both catalogue import commands share: read the file, run the importer, print the outcome."""

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from skillcert.reference.importers import ImportRejected, ImportSummary

# More problems than this are summarised: a wrong file would otherwise print thousands of lines.
MAX_PROBLEMS_SHOWN = 50


class CatalogueImportCommand(BaseCommand):
    label = ""  # the audit actor label and the console verb, e.g. "import-regions"

    def importer(self) -> Callable[..., ImportSummary]:
        raise NotImplementedError

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("无法读取文件 %(file)s：%(error)s") % {"file": file, "error": error}
            ) from error
        try:
            summary = self.importer()(content=content, actor=None, actor_label=self.label)
        except ImportRejected as rejected:
            for problem in rejected.problems[:MAX_PROBLEMS_SHOWN]:
                self.stderr.write(str(problem))
            if len(rejected.problems) > MAX_PROBLEMS_SHOWN:
                self.stderr.write(
                    _("……另有 %(n)d 个问题") % {"n": len(rejected.problems) - MAX_PROBLEMS_SHOWN}
                )
            raise CommandError(
                _("文件有 %(n)d 个问题，未导入任何数据。") % {"n": len(rejected.problems)}
            ) from None
        self.stdout.write(
            _("导入完成：新增 %(created)d，更新 %(updated)d，未变 %(unchanged)d（文件 SHA-256 %(sha)s）")
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "sha": summary.file_sha256,
            }
        )
        if summary.not_in_file:
            shown = "、".join(summary.not_in_file[:20]) + ("……" if len(summary.not_in_file) > 20 else "")
            self.stdout.write(
                _("数据库中有 %(n)d 个代码不在文件中，已保留未删除：%(codes)s")
                % {"n": len(summary.not_in_file), "codes": shown}
            )
