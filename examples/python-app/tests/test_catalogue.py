import unittest

from shopapi.catalogue import Catalogue, Product, DEFAULT


class CatalogueTest(unittest.TestCase):
    def test_total_adds_prices(self):
        self.assertEqual(DEFAULT.total_cents(["mug-01", "tee-02"]), 3700)

    def test_unknown_sku_is_named(self):
        with self.assertRaisesRegex(KeyError, "nope"):
            DEFAULT.total_cents(["mug-01", "nope"])

    def test_listing_is_sorted(self):
        c = Catalogue([Product("b", "B", 1), Product("a", "A", 2)])
        self.assertEqual([p["sku"] for p in c.all()], ["a", "b"])


if __name__ == "__main__":
    unittest.main()
