# iommu/: VT-d remapping hardware.
core-y += iommu/vtd_caps.o
