"""文书模板与印章: administrators word the printed documents and set the station's seal image."""

from __future__ import annotations

import html
import re

from sqlalchemy.orm import Session

from ...errors import ValidationError
from ...i18n import _
from ...services import templates as svc
from ...services.auth import Permission
from ..common import AppContext, confirm, error_label, run_service, show_error
from ..qt import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QObject,
    QPixmap,
    QPlainTextEdit,
    QPushButton,
    QSignalBlocker,
    Qt,
    QVBoxLayout,
    QWidget,
)

SEAL_PREVIEW_PIXELS = 150
NOTE_STYLE = "color: #8a5a00;"
HINT_STYLE = "color: #666;"
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class TemplatesDialog(QDialog):
    """One kind of document at a time: its fields, the placeholders it may use, a live preview; and the seal."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editable = ctx.actor.can(Permission.MANAGE_STATION)
        self.setWindowTitle(_("文书模板与印章"))
        self.setMinimumSize(940, 660)
        self._loaded: dict[str, str] = {}
        self._is_default = True

        self.kind_combo = QComboBox()
        for kind in svc.KINDS:
            self.kind_combo.addItem(svc.KIND_LABELS[kind], kind)
        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self._kind = svc.KINDS[0]
        self.state_label = QLabel()
        self.state_label.setStyleSheet(HINT_STYLE)

        self.edits: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout()
        for name in svc.FIELDS:
            if name in svc.MULTILINE_FIELDS:
                edit = QPlainTextEdit()
                lines = 7 if name == "body" else 2
                edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
                edit.textChanged.connect(self._changed)
            else:
                edit = QLineEdit()
                edit.textChanged.connect(self._changed)
            edit.setReadOnly(not self.editable)
            edit.installEventFilter(self)
            self.edits[name] = edit
        self.edits["accent"].setMaximumWidth(110)
        self.edits["accent"].setPlaceholderText("#b22222")
        self.accent_swatch = QLabel()
        self.accent_swatch.setFixedSize(22, 22)
        accent_row = QHBoxLayout()
        accent_row.addWidget(self.edits["accent"])
        accent_row.addWidget(self.accent_swatch)
        accent_row.addStretch(1)
        for name in svc.FIELDS:
            if name == "accent":
                form.addRow(svc.FIELD_LABELS[name], accent_row)
            else:
                form.addRow(svc.FIELD_LABELS[name], self.edits[name])
        self._target: QLineEdit | QPlainTextEdit = self.edits["body"]

        self.error = error_label()
        self.preview_text = QLabel(wordWrap=True)
        self.preview_text.setTextFormat(Qt.TextFormat.RichText)
        self.preview_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.preview_text.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview_text.setStyleSheet("QLabel { background: #fffdf7; padding: 8px; }")
        self.preview_text.setMinimumHeight(150)
        preview_box = QGroupBox(_("预览（示例数据）"))
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.addWidget(self.preview_text)

        self.placeholders = QListWidget()
        self.placeholders.itemDoubleClicked.connect(self._insert_placeholder)
        placeholder_box = QGroupBox(_("可用的占位符"))
        placeholder_layout = QVBoxLayout(placeholder_box)
        hint = QLabel(_("双击插入到光标所在的栏目。打印时换成实际内容。") if self.editable
                      else _("打印时换成实际内容。"), wordWrap=True)
        hint.setStyleSheet(HINT_STYLE)
        placeholder_layout.addWidget(self.placeholders)
        placeholder_layout.addWidget(hint)

        self.seal_preview = QLabel()
        self.seal_preview.setFixedSize(SEAL_PREVIEW_PIXELS + 8, SEAL_PREVIEW_PIXELS + 8)
        self.seal_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.seal_preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.seal_preview.setStyleSheet("QLabel { background: white; color: #888; }")
        self.seal_note = QLabel(wordWrap=True)
        self.choose_seal_button = QPushButton(_("选择印章图片…"))
        self.choose_seal_button.clicked.connect(self.choose_seal)
        self.clear_seal_button = QPushButton(_("清除印章"))
        self.clear_seal_button.clicked.connect(self.clear_seal)
        seal_box = QGroupBox(_("站点印章"))
        seal_layout = QVBoxLayout(seal_box)
        seal_top = QHBoxLayout()
        seal_top.addWidget(self.seal_preview)
        seal_buttons = QVBoxLayout()
        seal_buttons.addWidget(self.choose_seal_button)
        seal_buttons.addWidget(self.clear_seal_button)
        seal_buttons.addStretch(1)
        seal_top.addLayout(seal_buttons)
        seal_layout.addLayout(seal_top)
        seal_layout.addWidget(self.seal_note)
        seal_hint = QLabel(_("盖在证书的颁发单位上。请用透明背景的 PNG 图片，不超过 5 MB。"), wordWrap=True)
        seal_hint.setStyleSheet(HINT_STYLE)
        for label, lines in ((self.seal_note, 3), (seal_hint, 2)):  # wrapped labels get no height of their own
            label.setMinimumHeight(label.fontMetrics().lineSpacing() * lines + 4)
            label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        seal_layout.addWidget(seal_hint)

        self.readonly_note = QLabel(
            _("只有站长/管理员可以修改文书模板和印章，当前账号（{role}）只能查看。").format(role=ctx.actor.role.label),
            wordWrap=True,
        )
        self.readonly_note.setStyleSheet(NOTE_STYLE)
        self.readonly_note.setVisible(not self.editable)

        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(_("保存"), QDialogButtonBox.ButtonRole.ApplyRole)
        self.reset_button = buttons.addButton(_("恢复默认…"), QDialogButtonBox.ButtonRole.ResetRole)
        close = buttons.addButton(_("关闭"), QDialogButtonBox.ButtonRole.RejectRole)
        self.save_button.clicked.connect(self.save)
        self.reset_button.clicked.connect(self.reset)
        close.clicked.connect(self.reject)
        for widget in (self.save_button, self.reset_button, self.choose_seal_button, self.clear_seal_button):
            widget.setEnabled(self.editable)

        kind_row = QHBoxLayout()
        kind_row.addWidget(QLabel(_("文书种类")))
        kind_row.addWidget(self.kind_combo)
        kind_row.addWidget(self.state_label, 1)
        left = QVBoxLayout()
        left.addLayout(kind_row)
        left.addLayout(form)
        left.addWidget(self.error)
        left.addWidget(preview_box, 1)
        right = QVBoxLayout()
        right.addWidget(placeholder_box, 1)
        right.addWidget(seal_box)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.readonly_note)
        layout.addLayout(columns, 1)
        layout.addWidget(buttons)

        self._load(self._kind)
        self._refresh_seal()

    # --- the file dialog (patched in tests) ------------------------------------------------
    @staticmethod
    def ask_seal_file(parent: QWidget | None = None) -> str | None:
        """The image file the user chose, or None."""
        path, _filter = QFileDialog.getOpenFileName(
            parent, _("选择印章图片"), "",
            _("图片文件 (*.png *.jpg *.jpeg *.bmp *.gif *.webp *.tif *.tiff);;所有文件 (*)"),
        )
        return path or None

    # --- the template ----------------------------------------------------------------------
    def kind(self) -> str:
        return self._kind

    def current_fields(self) -> dict[str, str]:
        """What the form holds now."""
        out = {}
        for name, edit in self.edits.items():
            out[name] = edit.toPlainText() if isinstance(edit, QPlainTextEdit) else edit.text()
        return out

    def is_dirty(self) -> bool:
        return self.current_fields() != self._loaded

    def _load(self, kind: str) -> None:
        template = run_service(self, self.ctx, lambda s: svc.get_template(s, self.ctx.actor.station_id or 0, kind),
                               write=False)
        if template is None:
            return
        self._kind = kind
        self._is_default = template.is_default
        for name, edit in self.edits.items():
            with QSignalBlocker(edit):
                if isinstance(edit, QPlainTextEdit):
                    edit.setPlainText(template.fields[name])
                else:
                    edit.setText(template.fields[name])
                    edit.setCursorPosition(0)
        self._loaded = self.current_fields()
        self.placeholders.clear()
        for name, meaning in svc.PLACEHOLDERS[kind].items():
            item = QListWidgetItem(f"{{{name}}}　{meaning}")
            item.setData(Qt.ItemDataRole.UserRole, f"{{{name}}}")
            item.setToolTip(meaning)
            self.placeholders.addItem(item)
        self.error.clear()
        self._changed()

    def _kind_changed(self, index: int) -> None:
        kind = self.kind_combo.itemData(index)
        if kind == self._kind:
            return
        if self.editable and self.is_dirty() and not confirm(
            self, _("“{k}”的修改还没有保存，切换后将放弃这些修改。是否继续？").format(k=svc.KIND_LABELS[self._kind])
        ):
            with QSignalBlocker(self.kind_combo):
                self.kind_combo.setCurrentIndex(svc.KINDS.index(self._kind))
            return
        self._load(kind)

    def _changed(self) -> None:
        fields = self.current_fields()
        accent = fields["accent"].strip()
        colour = accent if COLOUR.fullmatch(accent) else "transparent"
        self.accent_swatch.setStyleSheet(f"background: {colour}; border: 1px solid #999;")
        if self.is_dirty():
            self.state_label.setText(_("有修改尚未保存"))
        elif self._is_default:
            self.state_label.setText(_("使用默认文字"))
        else:
            self.state_label.setText(_("使用本站修改过的文字"))
        self._update_preview(fields)

    def _update_preview(self, fields: dict[str, str]) -> None:
        try:
            svc.check_template(self._kind, fields)
        except ValidationError as exc:
            self.preview_text.setText(
                '<span style="color:#888">' + html.escape(_("模板有误，暂不能预览：") + exc.message) + "</span>"
            )
            return
        values = svc.sample_values(self._kind)
        if self.ctx.station_name and "站点" in values:
            values["站点"] = self.ctx.station_name
        normalised = {k: v.strip() for k, v in fields.items()}
        wording = svc.fill(svc.Template(self._kind, normalised, False), values)

        def lines(text: str) -> str:
            return "<br>".join(html.escape(line) for line in text.split("\n"))

        title_style = f"color:{wording.accent}; font-size:16pt; font-weight:bold"
        parts = [f'<div align="center" style="{title_style}">{html.escape(wording.title)}</div>']
        if wording.subtitle:
            parts.append(f'<div align="center" style="color:{wording.accent}">{html.escape(wording.subtitle)}</div>')
        indent = self.preview_text.fontMetrics().horizontalAdvance("中") * 2  # Qt's rich text knows no "em"
        parts.extend(f'<p style="text-indent:{indent}px">{html.escape(paragraph)}</p>' for paragraph in wording.body.split("\n") if paragraph)
        signed = [t for t in (wording.issuer, wording.signatory) if t]
        if signed:
            parts.append(f'<div align="right">{"<br>".join(lines(t) for t in signed)}</div>')
        if wording.footer:
            parts.append(f'<div style="color:#666; font-size:8pt">{html.escape(wording.footer)}</div>')
        self.preview_text.setText("".join(parts))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in self.edits.values() and watched is not self.edits["accent"]:
            self._target = watched
        return super().eventFilter(watched, event)

    def _insert_placeholder(self, item: QListWidgetItem) -> None:
        if not self.editable:
            return
        text = item.data(Qt.ItemDataRole.UserRole)
        target = self._target
        if isinstance(target, QPlainTextEdit):
            target.insertPlainText(text)
        else:
            target.insert(text)
        target.setFocus()

    def save(self) -> bool:
        """Store the form's wording; a refused template says why in red and nothing is stored."""
        self.error.clear()
        kind, fields = self._kind, self.current_fields()
        try:
            svc.check_template(kind, fields)
        except ValidationError as exc:
            self.error.setText(exc.message)
            if exc.field in self.edits:
                self.edits[exc.field].setFocus()
            return False

        def store(session: Session) -> bool:
            svc.save_template(session, self.ctx.actor, kind, fields)
            return True

        if not run_service(self, self.ctx, store):
            return False
        self._load(kind)
        return True

    def reset(self) -> None:
        kind = self._kind
        if not confirm(self, _("“{k}”将恢复为默认的文字和颜色，本站修改过的内容会丢失。是否继续？").format(
                k=svc.KIND_LABELS[kind])):
            return

        def restore(session: Session) -> bool:
            svc.reset_template(session, self.ctx.actor, kind)
            return True

        if run_service(self, self.ctx, restore):
            self._load(kind)

    # --- the seal ----------------------------------------------------------------------------
    def _refresh_seal(self) -> None:
        station_id = self.ctx.actor.station_id or 0
        found = run_service(
            self, self.ctx, lambda s: (svc.seal_png(s, station_id), svc.seal_info(s, station_id)), write=False
        )
        png, info = found if found else (None, None)
        self.seal_info = info
        self.clear_seal_button.setEnabled(self.editable and png is not None)
        if png is None:
            self.seal_preview.setPixmap(QPixmap())
            self.seal_preview.setText(_("未设置印章"))
            self.seal_note.setText(_("打印的文书上不盖印章。"))
            self.seal_note.setStyleSheet(HINT_STYLE)
            return
        pixmap = QPixmap()
        pixmap.loadFromData(png, "PNG")
        self.seal_preview.setPixmap(pixmap.scaled(
            SEAL_PREVIEW_PIXELS, SEAL_PREVIEW_PIXELS,
            Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation,
        ))
        size = _("{w}×{h} 像素").format(w=info.width, h=info.height) if info else ""
        if info is not None and not info.has_transparency:
            self.seal_note.setText(size + "。" + _("该图片没有透明背景，盖在文字上会遮住文字。建议换用透明背景的 PNG 图片。"))
            self.seal_note.setStyleSheet(NOTE_STYLE)
        else:
            self.seal_note.setText(size + "，" + _("透明背景。"))
            self.seal_note.setStyleSheet(HINT_STYLE)

    def choose_seal(self) -> None:
        path = self.ask_seal_file(self)
        if not path:
            return
        try:
            with open(path, "rb") as file:  # one byte over the limit is enough for the service to refuse it
                data = file.read(svc.MAX_SEAL_FILE_BYTES + 1)
        except OSError as exc:
            show_error(self, _("无法读取所选文件：{e}").format(e=exc.strerror or exc))
            return
        if run_service(self, self.ctx, lambda s: svc.set_seal(s, self.ctx.actor, data)) is not None:
            self._refresh_seal()

    def clear_seal(self) -> None:
        if not confirm(self, _("清除后，打印的文书上不再盖印章。是否清除？")):
            return

        def remove(session: Session) -> bool:
            svc.clear_seal(session, self.ctx.actor)
            return True

        if run_service(self, self.ctx, remove):
            self._refresh_seal()
