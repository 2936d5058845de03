"""The catalogue: products and their prices, kept in memory."""

from dataclasses import dataclass, asdict

from shopapi._pricing import total_cents as _sum_cents


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_cents: int


class Catalogue:
    def __init__(self, products=()):
        self._products = {p.sku: p for p in products}

    def get(self, sku):
        return self._products.get(sku)

    def all(self):
        return [asdict(p) for p in sorted(self._products.values(), key=lambda p: p.sku)]

    def total_cents(self, skus):
        missing = [s for s in skus if s not in self._products]
        if missing:
            raise KeyError(", ".join(missing))
        return _sum_cents([self._products[s].price_cents for s in skus])


DEFAULT = Catalogue([
    Product("mug-01", "Slipway mug", 1200),
    Product("tee-02", "Slipway tee", 2500),
])
