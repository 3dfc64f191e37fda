"""mailbot: the report mailbox of Phòng GD&ĐT Bình Đại — read, record, answer."""

__version__ = "0.1.0"
