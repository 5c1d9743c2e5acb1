"""The crawler: a site described by a profile file, crawled politely with Scrapy into the workspace.

* :mod:`~plainsight.crawl.profile`: the profile file (TOML), validated.
* :mod:`~plainsight.crawl.page`: reading a page with the profile's selectors (pure functions).
* :mod:`~plainsight.crawl.spider`, :mod:`~plainsight.crawl.pipeline`,
  :mod:`~plainsight.crawl.middleware`: the Scrapy parts.
* :mod:`~plainsight.crawl.journal`: the crawl folder and its append-only journal, which makes a
  killed crawl resumable without losing or duplicating captures.
* :mod:`~plainsight.crawl.state`: which adverts were seen, changed or removed (the
  ``advert_presence`` table).
* :mod:`~plainsight.crawl.run`: one crawl session from start to import.

Scrapy is imported only by the modules that run a crawl, never by ``import plainsight``.
"""
