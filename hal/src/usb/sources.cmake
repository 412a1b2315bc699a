# USB bulk transport for usb:// readers: a thin libusb layer (linked PRIVATE,
# never touched before a usb:// reader starts) and its pure device selection.
set(GARITA_HAL_USB_SOURCES
  ${CMAKE_CURRENT_SOURCE_DIR}/src/usb/UsbByteStream.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/src/usb/UsbDeviceSelector.cpp
)
