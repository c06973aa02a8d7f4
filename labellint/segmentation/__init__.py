"""Segmentations (polygons, RLE masks) as flat numeric arrays, parsed once by readers and shared by rules."""
