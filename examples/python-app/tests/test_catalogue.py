import unittest

from shopapi import _pricing
from shopapi.catalogue import Catalogue, Product, DEFAULT


class CatalogueTest(unittest.TestCase):
    def test_total_adds_prices(self):
        self.assertEqual(DEFAULT.total_cents(["mug-01", "tee-02"]), 3700)

    def test_unknown_sku_is_named(self):
        with self.assertRaisesRegex(KeyError, "nope"):
            DEFAULT.total_cents(["mug-01", "nope"])

    def test_prices_are_summed_by_the_c_extension(self):
        self.assertTrue(_pricing.__file__.endswith(".so"), _pricing.__file__)
        self.assertEqual(_pricing.total_cents([1, 2, 2**40]), 3 + 2**40)
        with self.assertRaisesRegex(ValueError, "negative"):
            _pricing.total_cents([5, -1])
        with self.assertRaises(OverflowError):
            _pricing.total_cents([2**62, 2**62])

    def test_listing_is_sorted(self):
        c = Catalogue([Product("b", "B", 1), Product("a", "A", 2)])
        self.assertEqual([p["sku"] for p in c.all()], ["a", "b"])


if __name__ == "__main__":
    unittest.main()
