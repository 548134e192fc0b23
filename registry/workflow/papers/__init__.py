"""The council's papers in the form of Decree 30/2020/NĐ-CP: minutes, proposal, decision with its annex,
certificate, and the yearly honours book; each as a print page and as an editable Word file.

The papers are official Vietnamese documents: their wording is Vietnamese whatever the page's language.
"""
