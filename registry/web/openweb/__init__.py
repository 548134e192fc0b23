"""For search engines and link previews: the sitemap and robots.txt."""
