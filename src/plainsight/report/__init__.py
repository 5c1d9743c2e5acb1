"""report stage: the committee report's key data on MDSHT, from a force's crime records.

- :func:`plainsight.report.build.build_report` makes a :class:`~plainsight.report.model.Report`
  (figures, key points, tables, charts, methods note; disclosure control with ``public``);
- :func:`plainsight.report.render.render_html` / :func:`~plainsight.report.render.render_pdf`
  and :func:`plainsight.report.word.render_docx` write it out.

Nothing is imported here, so ``import plainsight.report`` stays light (matplotlib,
WeasyPrint and python-docx load with the modules that use them). See ``docs/report.md``.
"""
