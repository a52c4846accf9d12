"""A minimal terminal screen: enough of VT100/xterm to follow what upwiz draws.

ratatui, through crossterm, draws with cursor positioning (CSI row;col H), erase
(CSI J, CSI K), colours and attributes (CSI ... m, ignored here) and plain UTF-8
text. The benchmarks need to know what is on screen (which screen, whether the help
overlay is up, whether the run has finished), not how it looks.
"""

import codecs


class Screen:
    def __init__(self, cols=80, rows=24):
        self.cols, self.rows = cols, rows
        self.grid = [[" "] * cols for _ in range(rows)]
        self.row = self.col = 0
        self._wrap = False
        self._state = "ground"
        self._params = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def text(self):
        return "\n".join("".join(r) for r in self.grid)

    def contains(self, s):
        return any(s in "".join(r) for r in self.grid)

    def line(self, n):
        return "".join(self.grid[n])

    def _clear(self, r0, c0, r1, c1):
        for r in range(r0, r1 + 1):
            for c in range(c0 if r == r0 else 0, (c1 if r == r1 else self.cols - 1) + 1):
                self.grid[r][c] = " "

    def _newline(self):
        if self.row == self.rows - 1:
            self.grid.pop(0)
            self.grid.append([" "] * self.cols)
        else:
            self.row += 1

    def _put(self, ch):
        if self._wrap:
            self.col = 0
            self._newline()
            self._wrap = False
        self.grid[self.row][self.col] = ch
        if self.col == self.cols - 1:
            self._wrap = True
        else:
            self.col += 1

    def _csi(self, final):
        p = self._params
        private = p.startswith("?")
        nums = [int(x) if x.isdigit() else 0 for x in p.lstrip("?").split(";")] if p else []

        def n(i, default):
            return nums[i] if len(nums) > i and nums[i] else default

        self._wrap = False
        if final in "Hf":
            self.row = min(max(n(0, 1) - 1, 0), self.rows - 1)
            self.col = min(max(n(1, 1) - 1, 0), self.cols - 1)
        elif final == "J":
            mode = n(0, 0)
            if mode == 0:
                self._clear(self.row, self.col, self.rows - 1, self.cols - 1)
            elif mode == 1:
                self._clear(0, 0, self.row, self.col)
            else:
                self._clear(0, 0, self.rows - 1, self.cols - 1)
        elif final == "K":
            mode = n(0, 0)
            if mode == 0:
                self._clear(self.row, self.col, self.row, self.cols - 1)
            elif mode == 1:
                self._clear(self.row, 0, self.row, self.col)
            else:
                self._clear(self.row, 0, self.row, self.cols - 1)
        elif final == "A":
            self.row = max(self.row - n(0, 1), 0)
        elif final == "B":
            self.row = min(self.row + n(0, 1), self.rows - 1)
        elif final == "C":
            self.col = min(self.col + n(0, 1), self.cols - 1)
        elif final == "D":
            self.col = max(self.col - n(0, 1), 0)
        elif final == "G":
            self.col = min(max(n(0, 1) - 1, 0), self.cols - 1)
        elif final == "d":
            self.row = min(max(n(0, 1) - 1, 0), self.rows - 1)
        elif final in "hl" and private and 1049 in nums:
            self._clear(0, 0, self.rows - 1, self.cols - 1)
        # Colours, attributes, cursor visibility and modes: nothing to follow.

    def feed(self, data):
        for ch in self._decoder.decode(data):
            st = self._state
            if st == "ground":
                if ch == "\x1b":
                    self._state = "esc"
                elif ch == "\r":
                    self.col, self._wrap = 0, False
                elif ch == "\n":
                    self._wrap = False
                    self._newline()
                elif ch == "\b":
                    self.col = max(self.col - 1, 0)
                elif ch >= " " and ch != "\x7f":
                    self._put(ch)
            elif st == "esc":
                if ch == "[":
                    self._state, self._params = "csi", ""
                elif ch == "]":
                    self._state = "osc"
                elif ch in "()*+#":
                    self._state = "charset"
                else:
                    self._state = "ground"
            elif st == "csi":
                if "\x40" <= ch <= "\x7e":
                    self._csi(ch)
                    self._state = "ground"
                else:
                    self._params += ch
            elif st == "osc":
                if ch == "\x07":
                    self._state = "ground"
                elif ch == "\x1b":
                    self._state = "esc"
            elif st == "charset":
                self._state = "ground"
