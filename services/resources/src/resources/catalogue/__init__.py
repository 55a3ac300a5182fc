"""The catalogue: kits and digital materials, their components and items."""
