"""The pagination links every list page includes (templates/includes/pagination.html)."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.test import RequestFactory


def links(path: str, *, page: int, items: int = 95) -> str:
    request = RequestFactory().get(path)
    page_object = Paginator(range(items), 10).get_page(page)
    return render_to_string("includes/pagination.html", {"page": page_object}, request=request)


def test_the_links_keep_the_lists_filters_and_change_only_the_page():
    # given page 5 of a list filtered by a Chinese search term and a status
    html = links("/plans/?q=%E5%BC%A0%E4%BC%9F&status=open&page=5", page=5)

    # then both links carry the same filters, with the page before and after
    assert 'href="?q=%E5%BC%A0%E4%BC%9F&amp;status=open&amp;page=4"' in html
    assert 'href="?q=%E5%BC%A0%E4%BC%9F&amp;status=open&amp;page=6"' in html
    assert "第 5 / 10 页" in html


def test_the_first_page_has_no_link_back_and_the_last_none_forward():
    first, last = links("/plans/", page=1), links("/plans/?page=10", page=10)

    assert "上一页" not in first and 'href="?page=2"' in first
    assert "下一页" not in last and 'href="?page=9"' in last


def test_a_list_of_one_page_shows_no_pagination():
    assert links("/plans/", page=1, items=7).strip() == ""


def test_markup_in_a_filter_is_escaped_in_the_links():
    html = links('/plans/?q="><script>alert(1)</script>', page=2)

    assert "<script>" not in html
