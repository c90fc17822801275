"""A plan file (.txt, .docx, .pdf) → the plain text the 规划纲要 parser reads.

Each format is read with its well-kept library (python-docx, pypdf) and brought to the shape of the
bundled text: one line per paragraph or heading, table rows as tab-separated cells. Anything that cannot
be read raises ``DocumentError`` with one Chinese sentence a user can act on; nothing is half-read.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

SUFFIXES = (".txt", ".docx", ".pdf")
# Page furniture a PDF's text layer repeats on every page: "12", "- 12 -", "— 12 —", "第 12 页".
PAGE_NUMBER_RE = re.compile(r"^[\s\-—–－]*(第\s*)?\d{1,4}(\s*页)?[\s\-—–－]*$")
MIN_CJK_SHARE = 0.2
ENCRYPTED_ERRORS = ("PDFPasswordIncorrect", "PDFEncryptionError", "PDFEncryptionWarning")  # a decoded plan is mostly Chinese; mojibake from a wrong codec is not


class DocumentError(ValueError):
    """A file that cannot become a plan document; the message is Chinese and safe to show."""


def read_document(path: Path) -> str:
    if not path.is_file():
        raise DocumentError(f"找不到文件：{path}")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise DocumentError(f"不支持的文件类型“{suffix or '无扩展名'}”：{path.name}（支持 .txt、.docx、.pdf）")
    if path.stat().st_size == 0:
        raise DocumentError(f"文件是空的：{path.name}")
    text = {".txt": read_txt, ".docx": read_docx, ".pdf": read_pdf}[suffix](path)
    if not text.strip():
        raise DocumentError(f"文件中没有文字：{path.name}")
    return text


def cjk_share(text: str) -> float:
    visible = [c for c in text if not c.isspace()]
    return sum("\u4e00" <= c <= "\u9fff" for c in visible) / max(1, len(visible))


def read_txt(path: Path) -> str:
    """UTF-8 (with or without BOM), else GB18030 (which covers GBK/GB2312, common for Chinese government
    files); a file neither decodes as mostly-Chinese text is refused rather than guessed at."""
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise DocumentError(f"无法识别文件编码（可能是 UTF-16）：{path.name}。请另存为 UTF-8 编码的文本文件。")
    for codec in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if cjk_share(text) >= MIN_CJK_SHARE:
            return text.replace("\r\n", "\n").replace("\r", "\n")
    raise DocumentError(f"无法识别文件编码或文件不是中文文本：{path.name}。请另存为 UTF-8 编码的文本文件。")


def read_docx(path: Path) -> str:
    """Paragraphs and tables in document order; a table row becomes one tab-separated line."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError):
        raise DocumentError(f"无法打开 Word 文档（文件损坏或不是 .docx 格式）：{path.name}") from None
    lines: list[str] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            lines.append(item.text)
        elif isinstance(item, Table):
            lines.extend(_table_lines(item))
    return "\n".join(lines)


def _table_lines(table) -> list[str]:
    """Merged cells repeat in python-docx's grid; a row keeps each distinct cell once."""
    out: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append(" ".join(cell.text.split()))
        out.append("\t".join(cells))
    return out


def read_pdf(path: Path) -> str:
    """pdfplumber (pdfminer.six) orders glyphs by position; pypdf's text order put quotation marks from a
    fallback font at the start of the line ("“ ”第二十三章 高质量共建 一带一路") on the real test plan."""
    import pdfplumber
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [page.extract_text() or "" for page in pdf.pages]
    except (PdfminerException, OSError, ValueError, KeyError, TypeError, AssertionError) as exc:
        # pdfplumber wraps pdfminer's errors; the wrapped one says whether a password was the problem
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
        if type(inner).__name__ in ENCRYPTED_ERRORS:
            raise DocumentError(f"PDF 已加密，无法读取：{path.name}。请先去掉密码再导入。") from None
        raise DocumentError(f"无法读取 PDF（文件损坏或格式不受支持）：{path.name}") from None
    lines = [line.strip() for page in pages for line in page.split("\n")]
    text = "\n".join(line for line in lines if not PAGE_NUMBER_RE.match(line))
    if not text.strip():
        raise DocumentError(f"PDF 中没有可提取的文字（可能是扫描件）：{path.name}。请提供文字版 PDF 或 Word 文档。")
    return text
